package kc.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import kc.ir.graph.Graph;
import kc.ir.graph.GraphJson;
import kc.ir.graph.GraphPrinter;
import kc.ir.graph.Node;
import kc.passes.cost.MachineModel;
import kc.runtime.ExitCode;
import kc.runtime.pipeline.Compilation;
import kc.runtime.pipeline.Pipeline;
import kc.runtime.pipeline.Stage;
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
        // any target will do: the graph is target-neutral, and the run stops before anything reads the target
        Compilation c = Pipeline.run(Pipeline.Input.of(model.file, model.defines, MachineModel.SM_90).withEntry(model.entry()), Stage.VERIFY);
        Graph g = c.evaluated();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (String w : c.loaded().warnings()) err.println(w);
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
