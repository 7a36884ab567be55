package org.jvmchat.protocol.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * Writes {@link InteropMessages#javaToJs()} in both protocols for the Node interop test: {@code
 * java.json.txt} and {@code java.msgpack.bin} in the directory given as the only argument. Run by
 * Maven (exec:exec) before {@code node --test}.
 */
public final class InteropVectorWriter {
  private InteropVectorWriter() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: InteropVectorWriter <output directory>");
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    write(new JsonHubProtocol(), dir.resolve("java.json.txt"));
    write(new MessagePackHubProtocol(), dir.resolve("java.msgpack.bin"));
  }

  private static void write(HubProtocol protocol, Path file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (HubMessage message : InteropMessages.javaToJs()) {
      protocol.write(message, out);
    }
    Files.write(file, out.toByteArray());
  }
}
