package kc.runtime.cpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import kc.codegen.cuda.CudaRenderer;
import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.Schedule;

/** Test helper: lower a graph, render CUDA C, run it on the CPU and compare with the reference interpreter. */
final class CpuCheck {
    private CpuCheck() {}

    /** Every kernel checked so far, renamed per graph, for one nvcc run at the end of a test class. */
    static final List<kc.ir.tile.Kernel> CHECKED = java.util.Collections.synchronizedList(new ArrayList<>());

    record Result(boolean passed, String message, List<HostTensor> outputs, List<HostTensor> reference) {}

    /** Seeded random data as the dtypes allow: floats in [-2, 2), integers in [0, 4), bools. */
    static HostTensor random(Value v, Random rnd) {
        DType t = v.type().dtype();
        return HostTensor.generate(v.type(), i -> switch (t) {
            case BOOL -> rnd.nextBoolean() ? 1 : 0;
            case I32, I64 -> rnd.nextInt(4);
            default -> (float) (rnd.nextDouble() * 4 - 2);
        });
    }

    static Result check(Graph g) { return check(g, DefaultScheduler.schedule(g), null); }

    static Result check(Graph g, Schedule s, List<HostTensor> givenInputs) {
        Random rnd = new Random(1234);
        List<HostTensor> inputs = new ArrayList<>();
        for (int i = 0; i < g.inputs().size(); i++)
            inputs.add(givenInputs != null ? givenInputs.get(i) : random(g.inputs().get(i), rnd));
        Map<String, HostTensor> params = new HashMap<>();
        for (Value p : g.params()) params.put(p.name(), random(p, rnd));
        Lowered low = Lowering.lower(g, s, kc.passes.cost.MachineModel.SM_90);
        String cuda = CudaRenderer.render(low.kernels());
        int graph = CHECKED.size();
        for (kc.ir.tile.Kernel k : low.kernels())
            CHECKED.add(new kc.ir.tile.Kernel("g" + graph + "_" + k.name(), k.params(), k.shared(), k.launch(), k.body()));
        List<HostTensor> out = CpuRunner.runCuda(low.kernels(), low.plan(), cuda, inputs, params);
        List<HostTensor> ref = Interpreter.run(g, inputs, params);
        return compare(out, ref);
    }

    /** allclose with atol = rtol = 1e-4 (f32; 1e-6-ish for exact types), NaN matching NaN, infinities exactly. */
    static Result compare(List<HostTensor> out, List<HostTensor> ref) {
        if (out.size() != ref.size()) return new Result(false, out.size() + " outputs, reference has " + ref.size(), out, ref);
        for (int k = 0; k < ref.size(); k++) {
            HostTensor o = out.get(k), r = ref.get(k);
            if (!o.shape().equals(r.shape())) return new Result(false, "output " + k + " shape " + o.shape() + " vs " + r.shape(), out, ref);
            double tol = r.dtype() == DType.F16 || r.dtype() == DType.BF16 ? 1e-2 : 1e-4;
            for (int i = 0; i < r.numel(); i++) {
                double a = o.getFlat(i), b = r.getFlat(i);
                if (Double.isNaN(a) && Double.isNaN(b)) continue;
                if (Double.isInfinite(b) || Double.isInfinite(a)) { if (a == b) continue; }
                else if (Math.abs(a - b) <= tol + tol * Math.abs(b)) continue;
                return new Result(false, "output " + k + " element " + i + ": " + a + " vs reference " + b, out, ref);
            }
        }
        return new Result(true, "", out, ref);
    }
}
