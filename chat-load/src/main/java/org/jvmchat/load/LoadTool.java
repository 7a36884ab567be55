package org.jvmchat.load;

import java.io.PrintStream;

/**
 * The load tool's command line: {@code fanout | echo | connections} against one running server, or
 * {@code compare} to start each server in turn and run the scenarios against all of them. Exit
 * status 0 when nothing was lost or duplicated and every run could be made, 1 otherwise, 2 on a bad
 * command line.
 */
public final class LoadTool {
  private LoadTool() {}

  public static void main(String[] args) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.print(Options.usage());
      System.exit(args.length == 0 ? 2 : 0);
    }
    if (args[0].equals("chaos")) {
      System.exit(chaos(java.util.Arrays.copyOfRange(args, 1, args.length)));
    }
    int status;
    try {
      Options o = Options.parse(args);
      status = o.command().equals("compare") ? Compare.main(o, System.out) : single(o, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("chat-load: " + e.getMessage());
      System.err.print(Options.usage());
      status = 2;
    } catch (Exception e) {
      System.err.println("chat-load: " + e);
      e.printStackTrace();
      status = 1;
    }
    System.out.flush();
    System.exit(status);
  }

  /** {@code chaos ...}: the fault-injection run ({@link org.jvmchat.load.chaos.Chaos}). */
  static int chaos(String[] args) {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.print(org.jvmchat.load.chaos.Chaos.usage());
      return 0;
    }
    int status;
    try {
      status = org.jvmchat.load.chaos.Chaos.main(args, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("chat-load chaos: " + e.getMessage());
      System.err.print(org.jvmchat.load.chaos.Chaos.usage());
      status = 2;
    } catch (Exception e) {
      System.err.println("chat-load chaos: " + e);
      e.printStackTrace();
      status = 1;
    }
    System.out.flush();
    return status;
  }

  /** Runs one scenario against one server and prints it; the exit status. */
  static int single(Options o, PrintStream out) throws Exception {
    Result r = run(o);
    if (!o.json()) {
      out.print(r.toTable());
    }
    out.println(r.toJson());
    return r.bad() ? 1 : 0;
  }

  /** Runs the scenario {@code o.command()} against {@code --url}. */
  public static Result run(Options o) throws Exception {
    switch (o.command()) {
      case "fanout":
        return Fanout.run(o);
      case "echo":
        return Echo.run(o);
      case "connections":
        return Connections.run(o);
      default:
        throw new IllegalArgumentException(
            "unknown scenario '" + o.command() + "' (fanout, echo, connections, compare)");
    }
  }
}
