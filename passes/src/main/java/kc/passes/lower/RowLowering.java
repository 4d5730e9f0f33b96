package kc.passes.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.Value;
import kc.ir.tile.Launch;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TType;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.ScheduleLegality;
import kc.passes.schedule.Strategy;

/**
 * Lowers an {@link Op.RowFused} node to one kernel: a warp (WARP) or a block (BLOCK) per row reduces the row's
 * statistics as GenericLowering's cooperative strategies do, keeps them in registers, then strides over the row's
 * elements computing the elementwise part. The row is read twice; the second time it comes from the cache the
 * first read just filled.
 */
final class RowLowering {
    private final Node node;
    private final Lowering.Buffers buffers;
    private final String dest;
    private final GroupSchedule schedule;

    RowLowering(Node node, Lowering.Buffers buffers, String dest, GroupSchedule schedule) {
        this.node = node;
        this.buffers = buffers;
        this.dest = dest;
        this.schedule = schedule;
    }

    Lowering.Emitted lower(String name) {
        Op.RowFused row = (Op.RowFused) node.op();
        int k = row.statsOperands(), all = node.operands().size();
        Node statsNode = ScheduleLegality.rowStatistics(node);
        Value statsValue = statsNode.result();
        List<Value> thenOperands = new ArrayList<>(node.operands().subList(k, all));
        while (thenOperands.size() < row.then().maps().size()) thenOperands.add(statsValue);
        Node thenNode = new Node(node.result(), row.then(), thenOperands, node.origin());
        GenericLowering stats = new GenericLowering(statsNode, buffers, null, schedule, List.of());
        GenericLowering then = new GenericLowering(thenNode, buffers, dest, schedule, List.of());
        KernelBuilder kb = new KernelBuilder(stats.kernelIndexType() == TType.I64 || then.kernelIndexType() == TType.I64 ? TType.I64 : TType.I32);

        boolean perWarp = schedule.strategy() == Strategy.WARP;
        int threads = schedule.threads(), lanes = perWarp ? 32 : threads, perBlock = perWarp ? threads / 32 : 1;
        long components = row.stats().reduction().components();
        long rows = row.statsType().shape().numel() / components;
        Launch launch = Lowering.grid(Math.max(1, GenericLowering.ceilDiv(rows, perBlock)), threads);
        TExpr block = GenericLowering.blockIndex(kb, launch);
        TExpr rowId = perWarp
                ? kb.let("row", KernelBuilder.add(KernelBuilder.mul(block, perBlock),
                        kb.toIdx(TExpr.binary(BinOp.DIV, new TExpr.Special(TExpr.Reg.THREAD_X), TExpr.i32(32)))))
                : kb.let("row", block);
        // warps (blocks) past the last row reduce the last row again and store nothing: every lane takes part
        TExpr r = kb.let("rc", TExpr.binary(BinOp.MIN, rowId, kb.c(Math.max(0, rows - 1))));
        TExpr lane = perWarp ? new TExpr.Special(TExpr.Reg.LANE) : new TExpr.Special(TExpr.Reg.THREAD_X);
        List<TExpr> values = stats.rowStatistics(kb, r, lane, lanes);

        int pointRank = row.statsType().rank() - (components > 1 ? 1 : 0);
        TExpr[] rowCoords = new TExpr[pointRank];
        TExpr rest = r;
        for (int i = pointRank - 1; i >= 0; i--) {
            long size = row.statsType().shape().dim(i);
            rowCoords[i] = i == 0 ? rest : kb.let("rw" + i, KernelBuilder.rem(rest, size));
            if (i > 0) rest = kb.let("rq", KernelBuilder.div(rest, size));
        }
        Map<Integer, TExpr> given = new HashMap<>();
        for (int j = row.firstStatistic(all); j < row.then().maps().size(); j++) given.put(j, values.get(row.statistic(j)));
        then.rowElements(kb, row.rowDims(all), rowCoords, given, lane, lanes, KernelBuilder.lt(rowId, kb.c(rows)));
        return new Lowering.Emitted(kb.build(name, launch), kb.args());
    }
}
