package kc.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphJson;
import kc.ir.graph.GraphPrinter;
import kc.ir.graph.GraphVerifier;
import kc.ir.graph.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "graph", mixinStandardHelpOptions = true,
        description = {"Parses and symbolically evaluates a module file into kc's Graph IR and prints it.",
                "The graph is verified (shapes, dtypes, index ranges) before it is printed."})
final class GraphCommand implements Callable<Integer> {
    enum Format { text, json, summary }

    @Mixin ModelOptions model;

    @Option(names = "--format", defaultValue = "text",
            description = "text (one line per node, with index maps and bodies), json (complete, machine-readable) or summary (counts). Default: ${DEFAULT-VALUE}.")
    Format format;

    @Spec CommandSpec spec;

    @Override public Integer call() {
        LoadedModel loaded = Frontend.load(model.file, model.defines);
        Graph g = loaded.graph();
        GraphVerifier.verifyOrThrow(g);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (String w : loaded.warnings()) err.println(w);
        switch (format) {
            case text -> out.print(GraphPrinter.print(g));
            case json -> out.println(GraphJson.write(g));
            case summary -> out.print(summary(g));
        }
        out.flush();
        return ExitCode.OK;
    }

    static String summary(Graph g) {
        Map<String, Integer> ops = new TreeMap<>(), composites = new TreeMap<>();
        for (Node n : g.nodes()) {
            ops.merge(n.op().name(), 1, Integer::sum);
            composites.merge(n.origin().composite(), 1, Integer::sum);
        }
        long paramElems = g.params().stream().mapToLong(p -> p.type().shape().numel()).sum();
        StringBuilder sb = new StringBuilder();
        sb.append(g.name()).append(": ").append(g.nodes().size()).append(" nodes, ")
          .append(g.inputs().size()).append(" inputs, ").append(g.params().size()).append(" parameters (")
          .append(paramElems).append(" elements), ").append(g.outputs().size()).append(" outputs\n");
        sb.append("  ops:        ").append(ops).append('\n');
        sb.append("  composites: ").append(composites).append('\n');
        return sb.toString();
    }
}
