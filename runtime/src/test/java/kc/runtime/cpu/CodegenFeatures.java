package kc.runtime.cpu;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import kc.ir.graph.Graph;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.tile.BufferParam;
import kc.ir.tile.Kernel;
import kc.ir.tile.SharedArray;
import kc.ir.tile.TExpr;
import kc.ir.tile.TStmt;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.GroupSchedule;

/**
 * What a model exercises in kc's back end, as names such as {@code "graph op:generic.sum"} or
 * {@code "tile binary DIV i64"}: the Graph IR it lowers from (op kinds, scalar body operations, index-map forms,
 * schedule strategies) and the Tile IR the renderers print (every statement and expression kind with the types and
 * variants a renderer spells differently, e.g. a masked f32x4 global load, a cast from i64 to f32, an unrolled loop).
 * CodegenSampleTest compares these sets between the sample it runs and all shared problems.
 */
final class CodegenFeatures {
    private CodegenFeatures() {}

    /** Op kinds with their reductions, scalar operations, index-map forms and schedule strategies of a graph. */
    static Set<String> ofGraph(Graph g) {
        Set<String> f = new TreeSet<>();
        for (Node n : g.nodes()) {
            f.add("graph op:" + n.op().name());
            if (n.op() instanceof Op.Generic gen) {
                bodyOps(gen.body(), f);
                if (gen.epilogue() != null) { f.add("graph epilogue"); bodyOps(gen.epilogue(), f); }
                for (IndexMap m : gen.maps()) {
                    if (m.pad() != null) f.add("graph map:pad");
                    for (IndexExpr e : m.exprs()) indexForms(e, f);
                }
            }
        }
        for (GroupSchedule k : DefaultScheduler.schedule(g).groups()) f.add("graph strategy:" + k.strategy());
        return f;
    }

    /** Statement and expression kinds of lowered kernels, with the types and variants each renderer treats apart. */
    static Set<String> ofKernels(List<Kernel> kernels) {
        Set<String> f = new TreeSet<>();
        for (Kernel k : kernels) {
            for (BufferParam p : k.params()) f.add("tile param " + p.elem().name().toLowerCase() + " " + p.access().name().toLowerCase());
            for (SharedArray s : k.shared()) f.add("tile shared array " + s.elem().name().toLowerCase());
            if (k.launch().gridY() > 1) f.add("tile launch grid y");
            if (k.launch().gridZ() > 1) f.add("tile launch grid z");
            if (k.launch().blockY() > 1) f.add("tile launch block y");
            if (k.launch().blockZ() > 1) f.add("tile launch block z");
            statements(k.body(), f);
        }
        return f;
    }

    private static void statements(List<TStmt> body, Set<String> f) {
        for (TStmt s : body) {
            switch (s) {
                case TStmt.Let l -> { f.add("tile let " + l.var().type()); expr(l.value(), f); }
                case TStmt.Declare d -> { f.add("tile declare " + d.var().type()); expr(d.init(), f); }
                case TStmt.Assign a -> { f.add("tile assign " + a.var().type()); expr(a.value(), f); }
                case TStmt.DeclareLocal d -> f.add("tile local array " + d.array().elem().name().toLowerCase());
                case TStmt.LocalStore l -> { f.add("tile local store " + l.value().type()); expr(l.index(), f); expr(l.value(), f); }
                case TStmt.Store st -> {
                    f.add("tile store " + st.space().name().toLowerCase() + " " + st.value().type() + (st.mask() != null ? " masked" : ""));
                    expr(st.index(), f);
                    expr(st.value(), f);
                    if (st.mask() != null) expr(st.mask(), f);
                }
                case TStmt.For l -> {
                    f.add(l.unroll() ? "tile for unrolled" : "tile for");
                    expr(l.start(), f);
                    expr(l.end(), f);
                    statements(l.body(), f);
                }
                case TStmt.If i -> {
                    f.add(i.otherwise().isEmpty() ? "tile if" : "tile if-else");
                    expr(i.cond(), f);
                    statements(i.then(), f);
                    statements(i.otherwise(), f);
                }
                case TStmt.Barrier b -> f.add("tile barrier");
                case TStmt.Mma m -> { f.add("tile mma " + m.shape()); m.a().forEach(e -> expr(e, f)); m.b().forEach(e -> expr(e, f)); m.c().forEach(e -> expr(e, f)); }
                case TStmt.CopyAsync c -> {
                    f.add("tile copy async" + (c.valid() != null ? " masked" : ""));
                    expr(c.to(), f);
                    expr(c.from(), f);
                    if (c.valid() != null) expr(c.valid(), f);
                }
                case TStmt.AsyncCommit c -> f.add("tile async commit");
                case TStmt.AsyncWait w -> f.add("tile async wait");
                case TStmt.Comment c -> { }
            }
        }
    }

    private static void expr(TExpr e, Set<String> f) {
        switch (e) {
            case TExpr.Const c -> f.add("tile const " + c.type());
            case TExpr.Ref r -> { }
            case TExpr.Special s -> f.add("tile special " + s.reg());
            case TExpr.Unary u -> f.add("tile unary " + u.op() + " " + u.a().type());
            case TExpr.Binary b -> f.add("tile binary " + b.op() + " " + b.a().type());
            case TExpr.Fma m -> f.add("tile fma " + m.type());
            case TExpr.Select s -> f.add("tile select " + s.type());
            case TExpr.Cast c -> f.add("tile cast " + c.a().type() + " to " + c.type());
            case TExpr.Load l -> f.add("tile load " + l.space().name().toLowerCase() + " " + l.type() + (l.mask() != null ? " masked" : ""));
            case TExpr.LocalLoad l -> f.add("tile local load " + l.type());
            case TExpr.Lane l -> f.add("tile lane of " + l.vector().type());
            case TExpr.Pack p -> f.add("tile pack " + p.type());
            case TExpr.Shuffle s -> f.add("tile shuffle " + s.kind() + " " + s.type());
            case TExpr.WarpReduce w -> f.add("tile warp reduce " + w.op() + " " + w.type());
        }
        for (TExpr c : TExpr.children(e)) expr(c, f);
    }

    /** The scalar operations of a body: each renderer spells every math function its own way. */
    private static void bodyOps(ScalarExpr e, Set<String> f) {
        switch (e) {
            case ScalarExpr.Read r -> { }
            case ScalarExpr.Index i -> f.add("graph body:index");
            case ScalarExpr.Reduced r -> { }
            case ScalarExpr.Const c -> { }
            case ScalarExpr.Cast c -> { f.add("graph body:cast_" + c.to()); bodyOps(c.a(), f); }
            case ScalarExpr.Unary u -> { f.add("graph body:" + u.op()); bodyOps(u.a(), f); }
            case ScalarExpr.Binary b -> { f.add("graph body:" + b.op()); bodyOps(b.a(), f); bodyOps(b.b(), f); }
            case ScalarExpr.Select s -> { f.add("graph body:select"); bodyOps(s.cond(), f); bodyOps(s.a(), f); bodyOps(s.b(), f); }
        }
    }

    private static void indexForms(IndexExpr e, Set<String> f) {
        switch (e) {
            case IndexExpr.Dim d -> { }
            case IndexExpr.Const c -> { }
            case IndexExpr.Add a -> { indexForms(a.a(), f); indexForms(a.b(), f); }
            case IndexExpr.Mul m -> indexForms(m.a(), f);
            case IndexExpr.FloorDiv d -> { f.add("graph map:floordiv"); indexForms(d.a(), f); }
            case IndexExpr.Mod m -> { f.add("graph map:mod"); indexForms(m.a(), f); }
            case IndexExpr.ExactDiv d -> { f.add("graph map:exactdiv"); indexForms(d.a(), f); }
        }
    }
}
