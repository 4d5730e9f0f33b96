package kc.ir.interp;

import static kc.ir.graph.ScalarExpr.BinaryOp.*;
import static kc.ir.testing.G.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import kc.ir.graph.Graph;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/** A shrunk ResNet: two basic blocks (four 3x3 convolutions with batch norm and relu) must run in about a second. */
class InterpreterSpeedTest {
    static final int N = 2, C = 64, H = 16, BLOCKS = 2;

    @Test
    void resnetBasicBlocksRunFast() {
        GraphBuilder b = new GraphBuilder("resnet");
        Value x = b.input("x", f32(N, C, H, H));
        Random rng = new Random(7);
        Map<String, HostTensor> params = new HashMap<>();
        Value cur = x;
        for (int blk = 0; blk < BLOCKS; blk++) {
            Value identity = cur;
            for (int j = 1; j <= 2; j++) {
                String pre = "layer" + blk + ".";
                Value conv = conv3x3(b, cur, param(b, params, rng, pre + "conv" + j + ".weight", f32(C, C, 3, 3), 0.05));
                Value w = param(b, params, rng, pre + "bn" + j + ".weight", f32(C), 1);
                Value bias = param(b, params, rng, pre + "bn" + j + ".bias", f32(C), 1);
                Value mean = param(b, params, rng, pre + "bn" + j + ".running_mean", f32(C), 1);
                Value var = param(b, params, rng, pre + "bn" + j + ".running_var", f32(C), -1);
                // (x - mean) * rsqrt(var + eps) * w + b, then the residual add on the second conv, then relu
                ScalarExpr bn = bin(ADD, bin(MUL, bin(MUL, bin(SUB, in(0), in(1)),
                        un(ScalarExpr.UnaryOp.RSQRT, bin(ADD, in(2), f(1e-5)))), in(3)), in(4));
                List<Value> ops = new java.util.ArrayList<>(List.of(conv, mean, var, w, bias));
                List<kc.ir.graph.IndexMap> maps = new java.util.ArrayList<>(List.of(map(d(0), d(1), d(2), d(3)),
                        map(d(1)), map(d(1)), map(d(1)), map(d(1))));
                if (j == 2) { bn = bin(ADD, bn, in(5)); ops.add(identity); maps.add(map(d(0), d(1), d(2), d(3))); }
                cur = b.add(new Op.Generic(kc.ir.graph.Shape.SCALAR, maps, bin(MAX, bn, f(0)), Op.Reduction.NONE),
                        ops, f32(N, C, H, H), kc.ir.graph.Origin.NONE);
            }
        }
        Graph g = b.build(List.of(cur));
        HostTensor tx = HostTensor.generate(x.type(), i -> rng.nextGaussian());

        long t0 = System.nanoTime();
        HostTensor got = Interpreter.run(g, List.of(tx), params).get(0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("resnet %d blocks, %d convs of %d MACs: %.3f s%n", BLOCKS, 2 * BLOCKS, (long) N * C * H * H * C * 9, seconds);
        // about 0.6 s on an idle 2-core machine, JIT warm-up included; the bound leaves room for a loaded one
        assertTrue(seconds < 10, "took " + seconds + " s");

        double[] want = reference(tx.data(), params);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got.getFlat(i), 1e-5 * Math.max(1, Math.abs(want[i])), "element " + i); // float32 storage between nodes
    }

    private static Value param(GraphBuilder b, Map<String, HostTensor> params, Random rng, String name, TensorType t, double scale) {
        // scale < 0: a positive variance
        params.put(name, HostTensor.generate(t, i -> scale < 0 ? 0.5 + rng.nextDouble() : scale * rng.nextGaussian()));
        return b.param(name, t);
    }

    private static Value conv3x3(GraphBuilder b, Value x, Value w) {
        return reduce(b, f32(N, C, H, H), dims(C, 3, 3), Op.Reduction.SUM, bin(MUL, in(0), in(1)), List.of(x, w),
                padded(0.0, d(0), d(4), add(d(2), d(5), c(-1)), add(d(3), d(6), c(-1))), map(d(1), d(4), d(5), d(6)));
    }

    /** The same network in plain loops. */
    private static double[] reference(double[] x, Map<String, HostTensor> p) {
        double[] cur = x;
        for (int blk = 0; blk < BLOCKS; blk++) {
            double[] identity = cur;
            for (int j = 1; j <= 2; j++) {
                String pre = "layer" + blk + ".";
                double[] w = p.get(pre + "conv" + j + ".weight").data();
                double[] out = new double[cur.length];
                for (int n = 0; n < N; n++) for (int oc = 0; oc < C; oc++) for (int y = 0; y < H; y++) for (int z = 0; z < H; z++) {
                    double acc = 0;
                    for (int ic = 0; ic < C; ic++) for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) {
                        int iy = y + ky - 1, ix = z + kx - 1;
                        if (iy < 0 || iy >= H || ix < 0 || ix >= H) continue;
                        acc += cur[((n * C + ic) * H + iy) * H + ix] * w[((oc * C + ic) * 3 + ky) * 3 + kx];
                    }
                    int at = ((n * C + oc) * H + y) * H + z;
                    double v = (acc - p.get(pre + "bn" + j + ".running_mean").getFlat(oc))
                            / Math.sqrt(p.get(pre + "bn" + j + ".running_var").getFlat(oc) + 1e-5)
                            * p.get(pre + "bn" + j + ".weight").getFlat(oc) + p.get(pre + "bn" + j + ".bias").getFlat(oc);
                    if (j == 2) v += identity[at];
                    out[at] = Math.max(v, 0);
                }
                cur = out;
            }
        }
        return cur;
    }
}
