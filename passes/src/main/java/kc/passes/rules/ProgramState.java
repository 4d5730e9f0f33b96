package kc.passes.rules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/**
 * A {@link RuleProgram}'s graph while it runs, and the context its rules ask: definers, readers, outputs and alike
 * nodes as of the sweep's start, definers (and readers, once a rule has asked about them in the sweep) kept current
 * for the nodes replaced and inserted during the sweep; and the values forwarded so far.
 * <p>
 * It is kept from sweep to sweep and brought up to date from the nodes that changed: most nodes of a 100k-node RNN
 * are the same objects sweep to sweep, and rebuilding it (hashing every op for the alike index) cost more than the
 * rules. For the same reason a node's rules are tried again only when something they asked about has changed since
 * they last matched nothing there ({@link #rewrite}): rules are pure functions of the node and the answers.
 * <p>
 * Values are numbered densely (a slot): node results in graph order, then inputs and parameters, then the values of
 * inserted nodes. A node's rank gives graph order; ranks are spaced so that inserted nodes fit between. Loops over
 * operands are indexed: an iterator per loop is garbage under the C1 JIT, which kc runs on.
 */
final class ProgramState implements RuleContext {
    private static final int GAP = 32; // ranks are (position + 1) << GAP after a sweep that inserted nodes

    private final FusionPolicy policy;
    private final Slots slots;
    private int lastId; // the largest value id handed out
    private List<Node> nodes; // the sweep's, in order
    private final List<Integer> inserted = new ArrayList<>(); // slots of the nodes inserted in this sweep

    // by slot
    private Node[] start, definer; // the node at the sweep's start, and now (a replaced node differs)
    private long[] rank;
    private Value[] forwarded;
    private boolean anyForwarded;
    private boolean[] output;
    private List<Value> outputs = List.of();

    /**
     * By value slot: its readers by their slots, in the order the rules always saw: graph order at the sweep's start,
     * then those replaced or inserted during it as they were (a weight of an unrolled RNN has thousands). Built when a
     * rule first asks; within a sweep, replacements change them only once a rule has asked in that sweep.
     */
    private LinkedHashMap<Integer, Node>[] readers;
    private boolean readersAsked;
    /** By node slot: the node whose reads the readers hold, or null for a mix (one substituted, then replaced). */
    private Node[] readersFrom;
    /** By node slot, for a mix: the nodes that may have left reads behind. */
    private final Map<Integer, List<Node>> mixed = new HashMap<>();
    private long[] marked; // by value slot: read by the node whose reads are being moved
    private final List<Integer> reordered = new ArrayList<>(); // value slots whose readers changed in this sweep
    private long[] reorderedIn; // by value slot: the sweep that last listed it in reordered
    private long sweeps;

    /** Nodes of the sweep's start by what they compute; built when a rule first asks. */
    private Map<Alike, Alikes> alikes;
    private Alikes[] alikesOf;
    /** Keys of nodes not yet indexed (substituted during this sweep), computed once. */
    private final Map<Node, Alike> fresh = new IdentityHashMap<>();

    /*
     * What the rules saw. Each answer the context gives can change only with an event stamped here (by the value's
     * slot, or the alike group's). The questions asked at a node whose rules matched nothing are kept, as slot * 4 +
     * kind, in one journal (not an array per node: they live long, and copying small arrays is what young
     * collections cost); the node is tried again once it, or an answer to one of them, is newer than that try.
     */
    private static final int DEFINER = 0, READERS = 1, OUTPUT = 2, ALIKE = 3;
    private long clock;
    private long[] definerChanged, readersChanged, outputChanged;
    /** By node slot: the node as last tried with no rewrite (or null), when, and its questions' range in the journal. */
    private Node[] tried;
    private long[] triedAt;
    private int[] askedFrom, askedTo;
    private int[] journal = new int[1024];
    private int journalSize, askingFrom, kept;
    private boolean tookId; // the rules took a fresh id while trying the node: trying it again would take another

    ProgramState(Graph g, FusionPolicy policy) {
        this.policy = policy;
        List<Value> values = new ArrayList<>(g.nodes().size() + g.inputs().size() + g.params().size());
        for (Node node : g.nodes()) values.add(node.result());
        values.addAll(g.inputs());
        values.addAll(g.params());
        slots = new Slots(values);
        for (Value v : values) lastId = Math.max(lastId, v.id());
        nodes = g.nodes();
        int all = values.size();
        start = Arrays.copyOf(g.nodes().toArray(new Node[0]), all);
        definer = start.clone();
        rank = new long[all];
        for (int i = 0; i < nodes.size(); i++) rank[i] = (long) (i + 1) << GAP;
        forwarded = new Value[all];
        output = new boolean[all];
        definerChanged = new long[all];
        readersChanged = new long[all];
        outputChanged = new long[all];
        tried = new Node[all];
        triedAt = new long[all];
        askedFrom = new int[all];
        askedTo = new int[all];
    }

    private int slot(Value v) {
        int s = slots.get(v.id());
        if (s < 0) throw new IllegalStateException(v + " is not a value of the graph");
        return s;
    }

    /** A slot for the result of an inserted node. */
    @SuppressWarnings("unchecked")
    private int newSlot(Value v) {
        int s = slots.add(v.id());
        if (s == start.length) {
            int n = 2 * s + 16;
            start = Arrays.copyOf(start, n);
            definer = Arrays.copyOf(definer, n);
            rank = Arrays.copyOf(rank, n);
            forwarded = Arrays.copyOf(forwarded, n);
            output = Arrays.copyOf(output, n);
            definerChanged = Arrays.copyOf(definerChanged, n);
            readersChanged = Arrays.copyOf(readersChanged, n);
            outputChanged = Arrays.copyOf(outputChanged, n);
            tried = Arrays.copyOf(tried, n);
            triedAt = Arrays.copyOf(triedAt, n);
            askedFrom = Arrays.copyOf(askedFrom, n);
            askedTo = Arrays.copyOf(askedTo, n);
            if (readers != null) {
                readers = Arrays.copyOf(readers, n);
                readersFrom = Arrays.copyOf(readersFrom, n);
                marked = Arrays.copyOf(marked, n);
                reorderedIn = Arrays.copyOf(reorderedIn, n);
            }
            if (alikes != null) alikesOf = Arrays.copyOf(alikesOf, n);
        }
        return s;
    }

    // --- the program's side

    /** The graph outputs as of this sweep's start. */
    void beginSweep(List<Value> outs) {
        boolean[] now = new boolean[output.length];
        for (Value v : outs) now[slot(v)] = true;
        for (Value v : outputs) if (!now[slot(v)]) { output[slot(v)] = false; outputChanged[slot(v)] = ++clock; }
        for (Value v : outs) if (!output[slot(v)]) { output[slot(v)] = true; outputChanged[slot(v)] = ++clock; }
        outputs = outs;
        readersAsked = false;
        sweeps++;
    }

    /**
     * The first of the rules' rewrites of n (as visited in this sweep), or null. Not tried again where nothing they
     * asked about changed since they last matched nothing: that answer stands, and its questions count as asked again
     * (a question about readers makes them follow the sweep's replacements from here on, as asking would have).
     */
    Rewrite rewrite(List<Rule> rules, Node n) {
        int s = slot(n.result());
        if (tried[s] == n && unchangedSince(s)) {
            for (int i = askedFrom[s]; i < askedTo[s]; i++) if ((journal[i] & 3) == READERS) askReaders();
            return null;
        }
        forget(s);
        askingFrom = journalSize;
        tookId = false;
        Rewrite r = null;
        for (int i = 0; i < rules.size() && r == null; i++) r = rules.get(i).apply(this, n);
        if (r != null || tookId) {
            journalSize = askingFrom;
            return r;
        }
        tried[s] = n;
        triedAt[s] = clock;
        askedFrom[s] = askingFrom;
        askedTo[s] = journalSize;
        kept += journalSize - askingFrom;
        return null;
    }

    private boolean unchangedSince(int node) {
        long t = triedAt[node];
        for (int i = askedFrom[node]; i < askedTo[node]; i++) {
            int s = journal[i] >>> 2;
            long changed = switch (journal[i] & 3) {
                case DEFINER -> definerChanged[s];
                case READERS -> readersChanged[s];
                case OUTPUT -> outputChanged[s];
                default -> alikesOf[s].firstChanged;
            };
            if (changed > t) return false;
        }
        return true;
    }

    private void forget(int node) {
        if (tried[node] == null) return;
        tried[node] = null;
        kept -= askedTo[node] - askedFrom[node];
    }

    private void ask(int s, int kind) {
        int q = s << 2 | kind;
        if (journalSize > askingFrom && journal[journalSize - 1] == q) return; // rules often ask twice in a row
        if (journalSize == journal.length) journal = Arrays.copyOf(journal, journalSize * 2);
        journal[journalSize++] = q;
    }

    /** Node old (as visited) is replaced by now during the sweep. */
    void replaced(Node old, Node now) {
        int s = slot(now.result());
        definer[s] = now;
        definerChanged[s] = ++clock;
        if (!readersAsked) return;
        List<Value> reads = old.operands();
        for (int i = 0; i < reads.size(); i++) removeReader(slot(reads.get(i)), s);
        reads = now.operands();
        for (int i = 0; i < reads.size(); i++) putReader(slot(reads.get(i)), s, now);
        if (readersFrom[s] != null && readersFrom[s] != old) mixed.computeIfAbsent(s, k -> new ArrayList<>()).add(readersFrom[s]);
        if (readersFrom[s] != old) mixed.computeIfAbsent(s, k -> new ArrayList<>()).add(now);
        readersFrom[s] = readersFrom[s] == old ? now : null;
    }

    /** Node x (a new value) is inserted during the sweep, after {@code before} (null: first) and ahead of {@code ahead}. */
    void added(Node x, Node before, Node ahead) {
        int s = newSlot(x.result());
        long lo = before == null ? 0 : rank[slot(before.result())], hi = rank[slot(ahead.result())];
        if (hi - lo < 2) throw new IllegalStateException("no rank left between " + before + " and " + ahead);
        rank[s] = lo + (hi - lo) / 2;
        inserted.add(s);
        definer[s] = x;
        definerChanged[s] = ++clock;
        if (!readersAsked) return;
        List<Value> reads = x.operands();
        for (int i = 0; i < reads.size(); i++) putReader(slot(reads.get(i)), s, x);
        readersFrom[s] = x;
    }

    /** The sweep is over: {@code before} were its nodes, {@code after} are the next one's. */
    void endSweep(List<Node> before, List<Node> after) {
        Node[] next = new Node[start.length];
        for (int i = 0; i < after.size(); i++) next[slot(after.get(i).result())] = after.get(i);
        for (int i = 0; i < before.size(); i++) {
            int s = slot(before.get(i).result());
            settle(s, before.get(i), next[s]);
        }
        for (int s : inserted) settle(s, null, next[s]);
        if (!inserted.isEmpty()) { // room between the ranks again
            for (int i = 0; i < after.size(); i++) rank[slot(after.get(i).result())] = (long) (i + 1) << GAP;
            if (alikes != null) for (Alikes same : alikes.values()) reranked(same);
            inserted.clear();
        }
        if (readers != null) inGraphOrder();
        mixed.clear();
        fresh.clear();
        nodes = after;
        if (kept < journalSize / 2) compactJournal();
    }

    /** Slot s held old at the sweep's start and holds now (either may be null) at the next's. */
    private void settle(int s, Node old, Node now) {
        Node during = definer[s];
        if (during != now) {
            definer[s] = now;
            definerChanged[s] = ++clock;
        }
        if (readers != null && readersFrom[s] != now) { // the reads of old and of any replacement give way to now's
            long mark = ++clock;
            if (now != null) {
                List<Value> reads = now.operands();
                for (int i = 0; i < reads.size(); i++) {
                    int v = slot(reads.get(i));
                    putReader(v, s, now);
                    marked[v] = mark;
                }
            }
            readsDropped(s, old, mark);
            readsDropped(s, during, mark);
            for (Node gone : mixed.getOrDefault(s, List.of())) readsDropped(s, gone, mark);
            readersFrom[s] = now;
        }
        if (now == old) return;
        start[s] = now;
        if (tried[s] != now) forget(s); // a node substituted in the sweep, tried then, is now's
        if (alikes != null) {
            unindex(s);
            if (now != null) index(s, now);
        }
    }

    private void readsDropped(int s, Node gone, long mark) {
        if (gone == null) return;
        List<Value> reads = gone.operands();
        for (int i = 0; i < reads.size(); i++) {
            int v = slot(reads.get(i));
            if (marked[v] != mark) removeReader(v, s);
        }
    }

    /** The journal without the questions of nodes tried again since. */
    private void compactJournal() {
        int[] compact = new int[Math.max(1024, 2 * kept)];
        int size = 0;
        for (int s = 0; s < tried.length; s++) {
            if (tried[s] == null) continue;
            int length = askedTo[s] - askedFrom[s];
            System.arraycopy(journal, askedFrom[s], compact, size, length);
            askedFrom[s] = size;
            askedTo[s] = size += length;
        }
        journal = compact;
        journalSize = size;
    }

    void forward(Value from, Value to) {
        forwarded[slot(from)] = to;
        anyForwarded = true;
    }

    Value resolve(Value v) {
        if (!anyForwarded) return v;
        for (Value to = forwarded[slot(v)]; to != null; to = forwarded[slot(v)]) v = to;
        return v;
    }

    /** n reading the values forwarded so far where they were forwarded to (n itself when it reads none). */
    Node substitute(Node n) {
        if (!anyForwarded) return n;
        List<Value> reads = n.operands();
        boolean any = false;
        for (int i = 0; i < reads.size(); i++) any |= forwarded[slot(reads.get(i))] != null;
        if (!any) return n;
        List<Value> ops = new ArrayList<>(reads.size());
        for (int i = 0; i < reads.size(); i++) ops.add(resolve(reads.get(i)));
        return new Node(n.result(), n.op(), ops, n.origin(), n.absorbed());
    }

    /** The nodes whose results an output needs, in order (one backward pass). */
    List<Node> liveOnly(List<Node> nodes, List<Value> outs) {
        boolean[] live = new boolean[start.length];
        for (Value v : outs) live[slot(v)] = true;
        boolean[] keep = new boolean[nodes.size()];
        int count = 0;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (!live[slot(n.result())]) continue;
            keep[i] = true;
            count++;
            List<Value> reads = n.operands();
            for (int k = 0; k < reads.size(); k++) live[slot(reads.get(k))] = true;
        }
        if (count == nodes.size()) return nodes;
        List<Node> out = new ArrayList<>(count);
        for (int i = 0; i < nodes.size(); i++) if (keep[i]) out.add(nodes.get(i));
        return out;
    }

    // --- the rules' side

    @Override public Node definer(Value v) {
        int s = slot(v);
        ask(s, DEFINER);
        return definer[s];
    }

    @Override public int userCount(Value v) {
        int s = slot(v);
        ask(s, READERS);
        askReaders();
        return readers[s] == null ? 0 : readers[s].size();
    }

    @Override public List<Node> users(Value v) {
        int s = slot(v);
        ask(s, READERS);
        askReaders();
        return readers[s] == null ? List.of() : List.copyOf(readers[s].values());
    }

    @Override public boolean isOutput(Value v) {
        int s = slot(v);
        ask(s, OUTPUT);
        return output[s];
    }

    @Override public Node earlierAlike(Node n) {
        if (alikes == null) {
            alikes = new HashMap<>();
            alikesOf = new Alikes[start.length];
            for (int i = 0; i < nodes.size(); i++) index(slot(nodes.get(i).result()), nodes.get(i));
        }
        int s = slot(n.result());
        // n as substituted in this sweep is not indexed yet; it is next sweep, in the group it asks about now
        Alikes same = start[s] == n ? alikesOf[s] : alikes.get(fresh.computeIfAbsent(n, Alike::new));
        ask(s, ALIKE);
        return same != null && rank[same.firstSlot] < rank[s] ? same.first : null;
    }

    @Override public int freshId() {
        tookId = true;
        return ++lastId;
    }

    @Override public boolean mayFuse(Node a, Node b) { return policy.allows(a, b); }

    // --- readers

    /** Readers are counted only for programs whose rules ask (fusion): canonicalisation sweeps 100k-node RNNs. */
    @SuppressWarnings("unchecked")
    private void askReaders() {
        if (readersAsked) return;
        readersAsked = true;
        if (readers != null) return;
        readers = new LinkedHashMap[start.length];
        readersFrom = new Node[start.length];
        marked = new long[start.length];
        reorderedIn = new long[start.length];
        for (int i = 0; i < nodes.size(); i++) { // in graph order
            Node n = nodes.get(i);
            int s = slot(n.result());
            List<Value> reads = n.operands();
            for (int k = 0; k < reads.size(); k++) readersOf(slot(reads.get(k))).put(s, n);
            readersFrom[s] = n;
        }
    }

    private LinkedHashMap<Integer, Node> readersOf(int v) {
        if (readers[v] == null) readers[v] = new LinkedHashMap<>(4);
        return readers[v];
    }

    private void putReader(int v, int reader, Node n) {
        if (readersOf(v).put(reader, n) != n) changedReaders(v);
    }

    private void removeReader(int v, int reader) {
        if (readers[v] != null && readers[v].remove(reader) != null) changedReaders(v);
    }

    private void changedReaders(int v) {
        readersChanged[v] = ++clock;
        if (reorderedIn[v] != sweeps) {
            reorderedIn[v] = sweeps;
            reordered.add(v);
        }
    }

    /** The readers that changed in the sweep back in graph order, as the next sweep starts with them. */
    private void inGraphOrder() {
        for (int v : reordered) {
            if (inGraphOrder(readers[v])) continue; // mostly: a reader replaced was its value's last or only one
            List<Map.Entry<Integer, Node>> entries = new ArrayList<>(readers[v].entrySet());
            entries.sort((a, b) -> Long.compare(rank[a.getKey()], rank[b.getKey()]));
            readers[v] = new LinkedHashMap<>(entries.size() * 2);
            for (Map.Entry<Integer, Node> e : entries) readers[v].put(e.getKey(), e.getValue());
            readersChanged[v] = ++clock;
        }
        reordered.clear();
    }

    private boolean inGraphOrder(Map<Integer, Node> readers) {
        long last = Long.MIN_VALUE;
        for (int s : readers.keySet()) {
            if (rank[s] < last) return false;
            last = rank[s];
        }
        return true;
    }

    // --- alike nodes

    /** What makes two nodes compute the same value: op, operands and type (the hash computed once: ops are trees). */
    private static final class Alike {
        final Op op;
        final int[] operands;
        final TensorType type;
        final int hash;

        Alike(Node n) {
            op = n.op();
            operands = new int[n.operands().size()];
            for (int i = 0; i < operands.length; i++) operands[i] = n.operands().get(i).id();
            type = n.result().type();
            hash = (op.hashCode() * 31 + Arrays.hashCode(operands)) * 31 + type.hashCode();
        }

        @Override public boolean equals(Object o) {
            return o instanceof Alike a && hash == a.hash && Arrays.equals(operands, a.operands) && type.equals(a.type) && op.equals(a.op);
        }

        @Override public int hashCode() { return hash; }
    }

    /** The nodes of one key: the first in graph order (the answer to all later ones) and when it last changed. */
    private static final class Alikes {
        final Alike key;
        Node first;
        int firstSlot;
        long firstChanged;
        TreeMap<Long, Node> rest; // the others by rank; mostly null: a key has one node but for equal constants

        Alikes(Alike key) { this.key = key; }
    }

    private void index(int s, Node n) {
        Alike key = fresh.remove(n);
        Alikes same = alikes.computeIfAbsent(key != null ? key : new Alike(n), Alikes::new);
        alikesOf[s] = same;
        if (same.first != null) {
            if (same.rest == null) same.rest = new TreeMap<>();
            if (rank[same.firstSlot] < rank[s]) {
                same.rest.put(rank[s], n);
                return;
            }
            same.rest.put(rank[same.firstSlot], same.first); // n comes first
        }
        same.first = n;
        same.firstSlot = s;
        same.firstChanged = ++clock;
    }

    private void unindex(int s) {
        Alikes same = alikesOf[s];
        if (same == null) return;
        alikesOf[s] = null;
        if (s != same.firstSlot) {
            same.rest.remove(rank[s]);
        } else if (same.rest == null || same.rest.isEmpty()) {
            alikes.remove(same.key);
        } else {
            same.first = same.rest.pollFirstEntry().getValue();
            same.firstSlot = slot(same.first.result());
            same.firstChanged = ++clock;
        }
    }

    /** The ranks were respaced, their order kept. */
    private void reranked(Alikes same) {
        if (same.rest == null || same.rest.isEmpty()) return;
        TreeMap<Long, Node> again = new TreeMap<>();
        for (Node m : same.rest.values()) again.put(rank[slot(m.result())], m);
        same.rest = again;
    }

    /**
     * Value ids to slots. Graphs built by kc number their values densely from 0 (and fresh ones follow), so a table
     * indexed by id serves; a graph read from elsewhere may use any ids, and gets a hash map.
     */
    private static final class Slots {
        private final int min;
        private int[] table; // slot + 1 by id - min; 0: no such value
        private final Map<Integer, Integer> sparse;
        private int size;

        Slots(List<Value> values) {
            int lo = Integer.MAX_VALUE, hi = Integer.MIN_VALUE;
            for (Value v : values) { lo = Math.min(lo, v.id()); hi = Math.max(hi, v.id()); }
            boolean dense = values.isEmpty() || (long) hi - lo < 4L * values.size() + 1024;
            min = values.isEmpty() ? 0 : lo;
            table = dense ? new int[values.isEmpty() ? 16 : hi - lo + 1] : null;
            sparse = dense ? null : new HashMap<>();
            for (Value v : values) add(v.id());
        }

        /** The new slot of id. */
        int add(int id) {
            boolean fresh;
            if (table == null) {
                fresh = sparse.putIfAbsent(id, size) == null;
            } else {
                if (id < min) throw new IllegalStateException("value id " + id + " is below the graph's");
                if (id - min >= table.length) table = Arrays.copyOf(table, Math.max(2 * table.length, id - min + 1));
                fresh = table[id - min] == 0;
                if (fresh) table[id - min] = size + 1;
            }
            if (!fresh) throw new IllegalStateException("value id " + id + " is defined twice");
            return size++;
        }

        /** The slot of id, or -1. */
        int get(int id) {
            if (table == null) return sparse.getOrDefault(id, -1);
            long i = (long) id - min;
            return i >= 0 && i < table.length ? table[(int) i] - 1 : -1;
        }
    }
}
