package org.jvmchat.protocol.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubMessageReader;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * Decodes what the official JS protocol classes wrote ({@code js.json.txt}, {@code js.msgpack.bin},
 * written by {@code src/test/node/protocol-interop.test.mjs}, which Maven runs before this).
 */
class ProtocolInteropIT {
  private static final Path DIR = Path.of("target", "interop");

  @Test
  void decodesWhatTheOfficialJsonHubProtocolWrote() throws IOException {
    assertThat(decode(new JsonHubProtocol(), "js.json.txt"))
        .containsExactlyElementsOf(InteropMessages.jsToJava());
  }

  @Test
  void decodesWhatTheOfficialMessagePackHubProtocolWrote() throws IOException {
    assertThat(decode(new MessagePackHubProtocol(), "js.msgpack.bin"))
        .containsExactlyElementsOf(InteropMessages.jsToJava());
  }

  private static List<HubMessage> decode(HubProtocol protocol, String name) throws IOException {
    Path file = DIR.resolve(name);
    assertThat(file)
        .as("%s is written by the Node interop test (node --test src/test/node)", file)
        .exists();
    byte[] bytes = Files.readAllBytes(file);
    List<HubMessage> out = new ArrayList<>();
    HubMessageReader reader = new HubMessageReader(protocol, InvocationBinder.GENERIC, 32768);
    // Byte by byte, so framing across chunk boundaries is exercised on foreign bytes too.
    for (byte b : bytes) {
      reader.feed(new byte[] {b}, out::add);
    }
    reader.finish();
    return out;
  }
}
