package kc.ir.interp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.ir.graph.ExprText;
import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/**
 * kc's reference interpreter for the Graph IR: runs a graph on host tensors, computing in float64 whatever the
 * dtypes say, and storing each node's result at its dtype's precision as PyTorch does (float32 results rounded to
 * float; integer and bool results are exact integers; bool is 0/1). It is the numerical ground
 * truth that PyTorch is compared against and that generated kernels are checked with.
 */
public final class Interpreter {
    private Interpreter() {}

    /**
     * Runs g and returns its outputs in order.
     *
     * @param inputs        one tensor per graph input, in order, of exactly the input's type
     * @param paramsByName  the parameters by state_dict key, each of exactly the parameter's type
     * @throws IllegalArgumentException when an input or parameter is missing or has the wrong type
     * @throws IllegalStateException    when the graph is malformed (the verifier would say why)
     */
    public static List<HostTensor> run(Graph g, List<HostTensor> inputs, Map<String, HostTensor> paramsByName) {
        return outputs(g, evaluate(g, inputs, paramsByName, false, false));
    }

    /**
     * Runs g keeping every floating-point value in float64, as if every float tensor were float64: the semantics
     * without float32 rounding, for comparing with PyTorch running the same model in float64.
     */
    public static List<HostTensor> runExact(Graph g, List<HostTensor> inputs, Map<String, HostTensor> paramsByName) {
        return outputs(g, evaluate(g, inputs, paramsByName, false, true));
    }

    private static List<HostTensor> outputs(Graph g, Map<Value, HostTensor> all) {
        List<HostTensor> out = new ArrayList<>();
        for (Value v : g.outputs()) out.add(all.get(v));
        return out;
    }

    /** Runs g and returns every value it computes (inputs, parameters, every node's result), for debugging. */
    public static Map<Value, HostTensor> runAll(Graph g, List<HostTensor> inputs, Map<String, HostTensor> paramsByName) {
        return evaluate(g, inputs, paramsByName, true, false);
    }

    private static Map<Value, HostTensor> evaluate(Graph g, List<HostTensor> inputs, Map<String, HostTensor> params,
                                                   boolean keepAll, boolean exact) {
        Map<Value, HostTensor> env = new LinkedHashMap<>();
        if (inputs.size() != g.inputs().size())
            throw new IllegalArgumentException("graph " + g.name() + " takes " + g.inputs().size() + " inputs, got " + inputs.size());
        for (int i = 0; i < inputs.size(); i++) env.put(g.inputs().get(i), checked(g.inputs().get(i), inputs.get(i), "input " + i));
        for (Value p : g.params()) {
            HostTensor t = params.get(p.name());
            if (t == null) throw new IllegalArgumentException("missing parameter " + p.name() + " (" + p.type() + ")");
            env.put(p, checked(p, t, "parameter " + p.name()));
        }
        // Drop intermediates after their last use unless asked to keep them.
        Map<Value, Integer> lastUse = new HashMap<>();
        List<Node> nodes = g.nodes();
        for (int i = 0; i < nodes.size(); i++) for (Value v : nodes.get(i).operands()) lastUse.put(v, i);
        for (Value v : g.outputs()) lastUse.put(v, Integer.MAX_VALUE);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            env.put(n.result(), new HostTensor(n.result().type(), compute(n, env, exact)));
            if (!keepAll) for (Value v : n.operands()) if (lastUse.get(v) == i && !g.outputs().contains(v)) env.remove(v);
        }
        for (Value v : g.outputs())
            if (!env.containsKey(v)) throw new IllegalStateException("output %" + v.id() + " is never defined");
        return env;
    }

    private static HostTensor checked(Value v, HostTensor t, String what) {
        if (!t.type().equals(v.type()))
            throw new IllegalArgumentException(what + " should be " + v.type() + " but is " + t.type());
        return t;
    }

    private static double[] compute(Node n, Map<Value, HostTensor> env, boolean exact) {
        String where = ExprText.nodeName(n);
        List<double[]> data = new ArrayList<>();
        List<TensorType> types = new ArrayList<>();
        for (Value v : n.operands()) {
            HostTensor t = env.get(v);
            if (t == null) throw new IllegalStateException(where + ": operand %" + v.id() + " is not defined before use");
            data.add(t.raw());
            types.add(t.type());
        }
        TensorType type = n.result().type();
        double[] out = switch (n.op()) {
            case Op.Generic gen -> new GenericKernel(gen, types, type, data, where).run();
            case Op.RowFused row -> { // the statistics as the unfused node stored them, then the elementwise part over them
                int k = row.statsOperands();
                double[] stats = new GenericKernel(row.stats(), types.subList(0, k), row.statsType(), data.subList(0, k), where).run();
                HostTensor.normalise(exact && row.statsType().dtype().isFloat() ? kc.ir.graph.DType.F64 : row.statsType().dtype(), stats);
                List<TensorType> thenTypes = new ArrayList<>(types.subList(k, types.size()));
                List<double[]> thenData = new ArrayList<>(data.subList(k, data.size()));
                while (thenTypes.size() < row.then().maps().size()) {
                    thenTypes.add(row.statsType());
                    thenData.add(stats);
                }
                yield new GenericKernel(row.then(), thenTypes, type, thenData, where).run();
            }
            case Op.Scan scan -> {
                if (data.size() != 1 || !types.get(0).shape().equals(type.shape()))
                    throw new IllegalStateException(where + ": a scan takes one operand of the result's shape");
                yield scan(scan, type.shape(), data.get(0), where);
            }
            case Op.Constant c -> {
                if (!n.operands().isEmpty() || c.values().size() != type.shape().numel())
                    throw new IllegalStateException(where + ": " + c.values().size() + " values for " + type);
                double[] d = new double[c.values().size()];
                for (int i = 0; i < d.length; i++) d[i] = c.values().get(i);
                yield d;
            }
        };
        // Stored at the dtype's precision, as PyTorch stores it (floats stay float64 in exact mode).
        HostTensor.normalise(exact && type.dtype().isFloat() ? kc.ir.graph.DType.F64 : type.dtype(), out);
        return out;
    }

    /** Accumulates in float64 and stores each prefix rounded to the dtype (below), as PyTorch's CPU scans do. */
    private static double[] scan(Op.Scan s, Shape shape, double[] in, String where) {
        if (s.dim() < 0 || s.dim() >= shape.rank()) throw new IllegalStateException(where + ": scan dim " + s.dim() + " outside rank " + shape.rank());
        long len = shape.dim(s.dim());
        long inner = shape.strides()[s.dim()];
        long outer = len == 0 ? 0 : shape.numel() / (len * inner);
        double[] out = new double[in.length];
        for (long o = 0; o < outer; o++) {
            for (long j = 0; j < inner; j++) {
                long base = o * len * inner + j;
                double acc = switch (s.combiner()) {
                    case SUM -> 0;
                    case PROD -> 1;
                    case MAX -> Double.NEGATIVE_INFINITY;
                    case MIN -> Double.POSITIVE_INFINITY;
                    case NONE, ARGMAX, ARGMIN, MAX_SUMEXP, MEAN_M2 -> throw new IllegalStateException(where + ": a scan cannot combine with " + s.combiner());
                };
                for (long t = 0; t < len; t++) {
                    int at = (int) (base + (s.reverse() ? len - 1 - t : t) * inner);
                    double v = in[at];
                    acc = switch (s.combiner()) {
                        case SUM -> acc + v;
                        case PROD -> acc * v;
                        case MAX -> Math.max(acc, v);
                        default -> Math.min(acc, v);
                    };
                    out[at] = acc;
                }
            }
        }
        return out;
    }
}
