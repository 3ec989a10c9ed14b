package io.github.kubeoidc;

import io.github.kubeoidc.cli.CheckCommand;
import io.github.kubeoidc.cli.DemoCommand;
import io.github.kubeoidc.cli.Exit;
import io.github.kubeoidc.cli.ServeCommand;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code serve | check | demo}. Maps outcomes to exit codes; only here is {@code System.exit}. */
@Command(name = "kube-oidc-webhook", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Kubernetes TokenReview webhook for OpenID Connect ID tokens (Dex and others).")
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The subcommands' names, as their {@code @Command} annotations give them. */
  static final List<String> COMMANDS = List.of("serve", "check", "demo");

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs a command line and returns its exit status: 0 ok, 1 rejected (check), 2 usage or configuration error. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    // picocli reads every registered command's annotations up front: register only the command being run (a
    // tenth of serve's start-up went to building check's and demo's models), or all three for the root's help.
    String first = args.length == 0 ? "" : args[0];
    for (Object command : List.of(new ServeCommand(), new CheckCommand(), new DemoCommand())) {
      String name = command.getClass().getAnnotation(Command.class).name();
      if (!COMMANDS.contains(first) || name.equals(first)) {
        cl.addSubcommand(name, command);
      }
    }
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(e -> Exit.CONFIG);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      // A crash must never read as "rejected" (1) to a script: it is reported as 2.
      line.getErr().println("error: " + e);
      return Exit.CONFIG;
    });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: serve, check or demo");
  }

  /** {@code --version}: the jar's Implementation-Version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"kube-oidc-webhook " + (v == null ? "(development build)" : v)};
    }
  }
}
