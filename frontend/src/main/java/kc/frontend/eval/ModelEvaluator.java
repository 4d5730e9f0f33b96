package kc.frontend.eval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kc.frontend.CompileError;
import kc.frontend.LoadedModel;
import kc.frontend.ParamSpec;
import kc.frontend.ast.Expr;
import kc.frontend.ast.PyModule;
import kc.frontend.ast.Stmt;
import kc.frontend.eval.PyObjects.ModuleObject;
import kc.frontend.parse.PythonSource;
import kc.frontend.torch.ComplexTensor;
import kc.frontend.torch.Tensor;
import kc.frontend.torch.TorchLibrary;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/**
 * Runs a parsed model file through the phases of the KernelBench convention: module-level code (with -D
 * overrides), get_init_inputs(), Model(*init_inputs), get_inputs(), model(*inputs), and cuts the traced values
 * into a Graph whose inputs are the input tensors and whose parameters are the state_dict tensors.
 */
public final class ModelEvaluator {
    private ModelEvaluator() {}

    /** Parsed prelude files by resource name: parsed once per JVM. */
    private static final Map<String, PyModule> PRELUDES = new ConcurrentHashMap<>();

    /** Evaluation needs deep Java recursion for deeply nested Python calls: run it on a thread with a big stack. */
    private static final long STACK_BYTES = 64L << 20;

    private static volatile boolean prefetched;

    /**
     * Starts parsing kc's prelude (and loading the torch library's classes) on a background thread, so that a
     * cold start overlaps it with reading and parsing the user's file. Idempotent; evaluate() waits for the
     * parsed preludes it needs (the cache computes each at most once).
     */
    public static void prefetch() {
        if (prefetched) return;
        prefetched = true;
        Thread t = new Thread(() -> {
            try {
                for (var e : newTorchLibrary().preludes()) PRELUDES.computeIfAbsent(e.getValue(), ModelEvaluator::parsePrelude);
            } catch (RuntimeException ignored) {
                // evaluate() parses again and reports the problem where it belongs
            }
        }, "kc-prelude-prefetch");
        t.setDaemon(true);
        t.start();
    }

    public static LoadedModel evaluate(PyModule module, Map<String, String> defines) {
        return evaluate(module, defines, newTorchLibrary());
    }

    /**
     * With the model and its inputs from one-expression modules ({@code --entry} and {@code --inputs}, parsed under
     * their own names so errors point into them), each null where the KernelBench convention applies.
     */
    public static LoadedModel evaluate(PyModule module, Map<String, String> defines, PyModule entry, PyModule inputs,
                                       List<java.nio.file.Path> searchPath) {
        TorchLibrary torch = newTorchLibrary();
        return onEvaluationThread(module.file(), () -> {
            Run run = new ModelEvaluator.Run(module, defines, torch, entry, inputs);
            run.rt.interp.searchPath = List.copyOf(searchPath);
            return run.run();
        });
    }

    /** The torch library implementation (kc.frontend.torch.TorchLibraryImpl). */
    static TorchLibrary newTorchLibrary() {
        try {
            return (TorchLibrary) Class.forName("kc.frontend.torch.TorchLibraryImpl").getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("kc.frontend.torch.TorchLibraryImpl is missing", e);
        }
    }

    public static LoadedModel evaluate(PyModule module, Map<String, String> defines, TorchLibrary torch) {
        return onEvaluationThread(module.file(), () -> new ModelEvaluator.Run(module, defines, torch, null, null).run());
    }

    /**
     * Runs work on a thread with a large stack (deeply nested user code recurses deeply in the tree walker) and
     * rethrows whatever it threw.
     */
    private static <T> T onEvaluationThread(String file, java.util.function.Supplier<T> work) {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(work.get());
            } catch (Throwable e) {
                result.set(e);
            }
        }, "kc-eval", STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompileError(file, 1, 1, "interrupted");
        }
        Object r = result.get();
        if (r instanceof RuntimeException e) throw e;
        if (r instanceof Error e) throw e;
        if (r instanceof Throwable e) throw new IllegalStateException(e);
        @SuppressWarnings("unchecked") T value = (T) r;
        return value;
    }

    /** One evaluation. */
    private static final class Run {
        private final PyModule module;
        private final Map<String, String> defines;
        private final String file;
        private final PyRuntime rt;
        private final PyModule entry, inputsExpr;

        Run(PyModule module, Map<String, String> defines, TorchLibrary torch, PyModule entry, PyModule inputsExpr) {
            this.module = module;
            this.entry = entry;
            this.inputsExpr = inputsExpr;
            this.defines = defines;
            this.file = module.file();
            this.rt = new PyRuntime(torch, new GraphBuilder(graphName(file)), file);
        }

        LoadedModel run() {
            try {
                return evaluate();
            } catch (CompileError e) {
                throw e;
            } catch (PyRaise e) {
                throw e.toCompileError();
            } catch (StackOverflowError e) {
                throw new CompileError(rt.userFile, rt.userPos, "RecursionError: maximum recursion depth exceeded");
            } catch (RuntimeException e) {
                throw new CompileError(rt.userFile, rt.userPos, "internal error: " + e);
            }
        }

        private LoadedModel evaluate() {
            LinkedHashMap<String, Object> globals = runModuleCode();
            Interpreter interp = rt.interp;
            Map<String, Object> constants = new LinkedHashMap<>();
            for (String name : interp.moduleAssigned) {
                Object v = globals.get(name);
                if (v != null && isConstant(v)) constants.put(name, v);
            }

            // Phase 2: construct the model: --entry's expression, or Model(*get_init_inputs())
            Object model;
            if (entry != null) {
                model = interp.evalExpressionModule(entry, globals);
                if (!(model instanceof PyInstance m && m.module != null))
                    throw new CompileError(entry.file(), 1, 1, "--entry must give an nn.Module, not " + rt.typeName(model));
            } else {
                Object modelClass = required(globals, "Model", "class Model(nn.Module) (or name the model with --entry)");
                Object getInitInputs = globals.get("get_init_inputs");
                List<Object> initInputs = getInitInputs == null ? List.of() : rt.toList(rt.call(getInitInputs, List.of(), Map.of()));
                rt.userPos = new kc.frontend.ast.Pos(1, 1);
                model = rt.call(modelClass, initInputs, Map.of());
            }
            if (!(model instanceof PyInstance root && root.module != null))
                throw new CompileError(file, 1, 1, "Model must be a subclass of torch.nn.Module");
            for (Object[] m : NnModule.namedModules(root, "")) rt.modulePaths.put((PyInstance) m[1], (String) m[0]);
            List<NnModule.Entry> stateDict = NnModule.stateDict(root);
            Map<String, Value> params = new LinkedHashMap<>();
            List<ParamSpec> specs = new ArrayList<>();
            for (NnModule.Entry e : stateDict) {
                params.put(e.key(), e.tensor().value());
                specs.add(new ParamSpec(e.key(), e.tensor().type(), e.buffer()));
            }

            // Phase 3: inputs: --inputs' expression, or get_inputs()
            List<Object> inputs = inputsExpr != null ? rt.toList(interp.evalExpressionModule(inputsExpr, globals))
                    : rt.toList(rt.call(required(globals, "get_inputs", "function get_inputs() (or give the inputs with --inputs)"), List.of(), Map.of()));
            Map<String, Value> graphInputs = new LinkedHashMap<>();
            List<TensorType> inputTypes = new ArrayList<>();
            List<Tensor> inputTensors = new ArrayList<>();
            collectInputs(inputs, inputTensors);
            for (Tensor t : inputTensors) {
                graphInputs.put("input" + graphInputs.size(), t.value());
                inputTypes.add(t.type());
            }

            // Phase 4: trace forward.
            rt.userPos = new kc.frontend.ast.Pos(1, 1);
            int placeholdersBefore = rt.graph.placeholders().size();
            Object out = rt.call(model, inputs, Map.of());
            List<Value> outputs = new ArrayList<>();
            collectOutputs(out, outputs);
            // Random tensors forward draws itself (torch.randn(...) for an initial state) become extra inputs after
            // get_inputs()'s, in the order they are drawn: a reference run supplies the values it drew.
            List<String> randomDraws = new ArrayList<>();
            List<Value> drawn = rt.graph.placeholders();
            for (Value v : drawn.subList(placeholdersBefore, drawn.size())) {
                graphInputs.put("random" + randomDraws.size(), v);
                randomDraws.add(v.name());
            }
            Graph graph;
            try {
                graph = rt.graph.build(graphInputs, params, outputs);
            } catch (IllegalStateException e) {
                throw placeholderError(e.getMessage(), root);
            }
            return new LoadedModel(graph, specs, inputTypes, randomDraws, constants, rt.warnings);
        }

        /** Phase 1: installs the modules and runs the file's top-level code (with -D overrides); returns its globals. */
        private LinkedHashMap<String, Object> runModuleCode() {
            installModules();
            LinkedHashMap<String, Object> globals = new LinkedHashMap<>();
            // Imported as KernelBench's harness does: an `if __name__ == "__main__":` demo block does not run.
            globals.put("__name__", graphName(file));
            globals.put("__file__", file);
            Scope scope = Scope.module(globals);
            Interpreter interp = rt.interp;
            interp.overrides = parseDefines();
            interp.execUserModule(module.body(), scope, new SourceUnit(file, false));
            for (String name : defines.keySet())
                if (!interp.moduleAssigned.contains(name))
                    throw new CompileError(file, 1, 1, "-D " + name + ": no module-level assignment to " + name);
            return globals;
        }

        /** Phase 1 only, for tests: the module's globals after its top-level code ran. */
        Map<String, Object> moduleOnly() {
            try {
                return runModuleCode();
            } catch (PyRaise e) {
                throw e.toCompileError();
            }
        }

        private Object required(Map<String, Object> globals, String name, String what) {
            Object v = globals.get(name);
            if (v == null) throw new CompileError(file, 1, 1, "missing " + name + ": the file must define " + what);
            return v;
        }

        /**
         * The graph inputs: the tensors among forward's arguments in order, tuples and lists (a forward taking a tuple
         * of tensors) flattened depth first; other values (ints, flags) are not inputs. torch_reference.py's
         * flatten_inputs must give the same tensors in the same order.
         */
        private void collectInputs(List<Object> values, List<Tensor> out) {
            for (Object v : values) {
                if (v instanceof ComplexTensor)
                    throw new CompileError(file, 1, 1, "unsupported: a complex tensor as an input of the model (kc has no complex dtype); "
                            + "pass torch.view_as_real of it and call torch.view_as_complex in forward");
                if (v instanceof Tensor t) out.add(t);
                else if (v instanceof Py.Tuple tu) collectInputs(tu.items(), out);
                else if (v instanceof Py.PyList l) collectInputs(l.items, out);
                else if (NamedTuples.asTuple(v) instanceof Py.Tuple nt) collectInputs(nt.items(), out);
            }
        }

        /** forward's tensors in order: nested tuples and lists flattened, None dropped (a loss not computed). */
        private void collectOutputs(Object out, List<Value> outputs) {
            if (out == Py.NONE) return;
            if (out instanceof Tensor t) outputs.add(t.value());
            else if (out instanceof ComplexTensor)
                throw new CompileError(file, 1, 1, "unsupported: forward returns a complex tensor (kc has no complex dtype); return torch.view_as_real of it");
            else if (out instanceof Py.Tuple tu) for (Object o : tu.items()) collectOutputs(o, outputs);
            else if (out instanceof Py.PyList l) for (Object o : l.items) collectOutputs(o, outputs);
            else if (NamedTuples.asTuple(out) != null) collectOutputs(NamedTuples.asTuple(out), outputs);
            else throw new CompileError(file, 1, 1, "forward must return a tensor or a tuple/list of tensors, not "
                        + rt.typeName(out));
        }

        private static final Pattern AT_POSITION = Pattern.compile("depends on (.*) at (.+):(\\d+):(\\d+)");

        private CompileError placeholderError(String message, PyInstance root) {
            Matcher m = AT_POSITION.matcher(message);
            String hint = unregisteredModulesHint(root);
            if (m.find())
                return new CompileError(m.group(2), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)),
                        "the result depends on the values of " + m.group(1)
                                + ", which is neither an input (get_inputs) nor a parameter or buffer of the model" + hint);
            return new CompileError(file, 1, 1, message + hint);
        }

        /** The usual cause of unregistered weights: modules kept in a plain list or dict attribute. */
        private String unregisteredModulesHint(PyInstance root) {
            for (Object[] named : NnModule.namedModules(root, "")) {
                PyInstance mod = (PyInstance) named[1];
                for (var e : mod.dict.entrySet()) {
                    Object v = e.getValue();
                    List<Object> items = v instanceof Py.PyList l ? l.items : v instanceof Py.Tuple t ? t.items()
                            : v instanceof Py.PyDict d ? new ArrayList<>(d.items.values()) : List.of();
                    for (Object item : items) {
                        if (item instanceof PyInstance i && i.module != null) {
                            String where = ((String) named[0]).isEmpty() ? "self." + e.getKey() : named[0] + "." + e.getKey();
                            return " (hint: " + where + " is a plain " + rt.typeName(v) + " of modules, which PyTorch does not"
                                    + " register: use nn.ModuleList or nn.ModuleDict)";
                        }
                    }
                }
            }
            return "";
        }

        private static boolean isConstant(Object v) {
            if (v instanceof Long || v instanceof Double || v instanceof Boolean) return true;
            List<Object> items = v instanceof Py.Tuple t ? t.items() : v instanceof Py.PyList l ? l.items : null;
            if (items == null) return false;
            for (Object o : items) if (!isConstant(o)) return false;
            return true;
        }

        /** The module table: stdlib modules, the torch library's native modules, evaluator-owned classes, preludes. */
        private void installModules() {
            StdModules.install(rt);
            for (var e : rt.torch.nativeModules().entrySet()) rt.module(e.getKey()).dict().putAll(e.getValue());
            TorchNoOps.install(rt);
            ModuleObject nn = rt.module("torch.nn");
            nn.dict().put("Module", NnModule.MODULE);
            rt.module("torch.nn.modules.module").dict().put("Module", NnModule.MODULE);
            rt.module("torch.utils.hooks").dict().put("RemovableHandle", NnModule.HANDLE);
            // Tensor and Parameter are classes here so isinstance works; calling them runs the library's function.
            ModuleObject torchModule = rt.module("torch");
            PyClass tensor = wrapClass(torchModule.dict(), "Tensor", Types.TENSOR, null);
            PyClass parameter = wrapClass(nn.dict(), "Parameter", Types.PARAMETER, (ctx, a, kw) -> {
                Object data = Builtins.arg(a, kw, 0, "data", Py.NONE);
                if (!(data instanceof Tensor t)) throw ctx.error("nn.Parameter expects a tensor, got " + ((PyRuntime) ctx).typeName(data));
                return new Tensor(t.value(), true);
            });
            rt.module("torch.nn.parameter").dict().put("Parameter", parameter);
            if (tensor.nativeConstructor == null)
                tensor.nativeConstructor = (ctx, a, kw) -> { throw ctx.error("unsupported: torch.Tensor(...) constructor"); };
            for (var entry : rt.torch.preludes()) {
                PyModule prelude = PRELUDES.computeIfAbsent(entry.getValue(), ModelEvaluator::parsePrelude);
                if (prelude == MISSING) {
                    rt.warnings.add("warning: kc's prelude " + entry.getValue() + " is missing from the class path");
                    continue;
                }
                ModuleObject m = rt.module(entry.getKey());
                rt.interp.execModule(prelude.body(), Scope.module(m.dict()), new SourceUnit(entry.getValue(), true));
            }
            rt.userFile = file;
        }

        /**
         * A per-run class standing for a built-in type (instance test shared), whose constructor is the library's
         * function of that name when it has one, else {@code fallback}.
         */
        private static PyClass wrapClass(Map<String, Object> dict, String name, PyClass type, Builtin fallback) {
            PyClass cls = PyClass.builtin(name, type.bases);
            cls.nativeInstanceTest = type.nativeInstanceTest;
            cls.dict.putAll(type.dict);
            cls.nativeConstructor = dict.get(name) instanceof NativeFunction nf ? nf.impl() : fallback;
            dict.put(name, cls);
            return cls;
        }

        /**
         * -D values: Python expressions, normally literals (int, float, bool, None, 'str', tuples and lists);
         * evaluated where the override applies, so they may name earlier module constants as in PyTorch's run.
         */
        private Map<String, Expr> parseDefines() {
            Map<String, Expr> out = new LinkedHashMap<>();
            for (var e : defines.entrySet()) {
                try {
                    PyModule m = PythonSource.parse("-D " + e.getKey(), "_ = (\n" + e.getValue() + "\n)\n");
                    out.put(e.getKey(), ((Stmt.Assign) m.body().get(0)).value());
                } catch (CompileError ex) {
                    throw new CompileError(file, 1, 1, "-D " + e.getKey() + "=" + e.getValue()
                            + ": the value is not a Python expression (strings need quotes: -D " + e.getKey() + "=\"'text'\")");
                }
            }
            return out;
        }
    }

    /** Runs only the module-level code of a source text and returns its globals (for tests of Python semantics). */
    static Map<String, Object> runModule(String fileName, String source, Map<String, String> defines) {
        PyModule module = PythonSource.parse(fileName, source);
        return onEvaluationThread(fileName, () -> new Run(module, defines, newTorchLibrary(), null, null).moduleOnly());
    }

    private static final PyModule MISSING = new PyModule("<missing>", List.of());

    private static PyModule parsePrelude(String resource) {
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        try (InputStream in = ModelEvaluator.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) return MISSING;
            return PythonSource.parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read prelude " + resource, e);
        }
    }

    private static String graphName(String file) {
        String base = file.substring(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
        return base.endsWith(".py") ? base.substring(0, base.length() - 3) : base;
    }
}
