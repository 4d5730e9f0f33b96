package kc.frontend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.frontend.ParamSpec;
import kc.ir.graph.DType;
import kc.ir.graph.Node;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/** nn.Module registration, state_dict naming and order, model phases and node origins, through Frontend.load. */
class ModuleRegistrationTest {
    static LoadedModel load(String src) { return Frontend.load("m.py", src, Map.of()); }

    static final String NESTED = """
            import torch
            import torch.nn as nn

            class Block(nn.Module):
                def __init__(self, c):
                    super().__init__()
                    self.conv = nn.Conv2d(c, c, 3, padding=1)
                    self.bn = nn.BatchNorm2d(c)
                    self.register_buffer('scale', torch.ones(c))
                    self.w = nn.Parameter(torch.randn(c))

                def forward(self, x):
                    return self.bn(self.conv(x)) * self.w.view(1, -1, 1, 1) * self.scale.view(1, -1, 1, 1)

            class Model(nn.Module):
                def __init__(self, c, n):
                    super(Model, self).__init__()
                    self.blocks = nn.ModuleList([Block(c) for _ in range(n)])
                    self.head = nn.Sequential(nn.Flatten(), nn.Linear(c * 4, 2, bias=False))
                    self.d = nn.ModuleDict({'a': nn.Linear(2, 2)})
                    self.register_buffer('tmp', torch.zeros(1), persistent=False)
                    self.bias = nn.Parameter(torch.zeros(2))
                    self.unused = nn.Linear(3, 3)
                    self.gone = None

                def forward(self, x, scale):
                    for b in self.blocks:
                        x = b(x)
                    return self.d['a'](self.head(x) + self.bias) * scale

            def get_inputs():
                return [torch.rand(2, 4, 2, 2), 0.5]

            def get_init_inputs():
                return [4, 2]
            """;

    @Test void stateDictFollowsPyTorchNamingAndOrder() {
        LoadedModel m = load(NESTED);
        List<String> block0 = List.of("blocks.0.w", "blocks.0.scale", "blocks.0.conv.weight", "blocks.0.conv.bias",
                "blocks.0.bn.weight", "blocks.0.bn.bias", "blocks.0.bn.running_mean", "blocks.0.bn.running_var",
                "blocks.0.bn.num_batches_tracked");
        List<String> expected = new java.util.ArrayList<>(List.of("bias"));
        expected.addAll(block0);
        for (String k : block0) expected.add(k.replace("blocks.0", "blocks.1"));
        expected.addAll(List.of("head.1.weight", "d.a.weight", "d.a.bias", "unused.weight", "unused.bias"));
        assertEquals(expected, m.stateDictKeys());
        ParamSpec scale = m.stateDict().get(2);
        assertEquals("blocks.0.scale", scale.key());
        assertTrue(scale.buffer());
        assertEquals(TensorType.of(DType.F32, 4), scale.type());
        assertTrue(!m.stateDict().get(1).buffer());
        assertEquals(TensorType.of(DType.F32, 4, 4, 3, 3), m.stateDict().get(3).type());
    }

    @Test void graphHasInputsAndOnlyTheUsedParameters() {
        LoadedModel m = load(NESTED);
        assertEquals(List.of(TensorType.of(DType.F32, 2, 4, 2, 2)), m.inputTypes());
        assertEquals(List.of("input0"), m.graph().inputs().stream().map(Value::name).toList());
        Set<String> params = m.graph().params().stream().map(Value::name).collect(Collectors.toSet());
        assertTrue(params.contains("blocks.1.bn.weight"));
        assertTrue(params.contains("head.1.weight"));
        assertTrue(!params.contains("unused.weight"), "unused parameters are not in the graph");
        assertEquals(List.of(TensorType.of(DType.F32, 2, 2)), m.graph().outputs().stream().map(Value::type).toList());
        assertTrue(kc.ir.graph.GraphVerifier.verify(m.graph()).isEmpty());
    }

    @Test void originsNameModulePathCompositeAndUserPosition() {
        LoadedModel m = load(NESTED);
        List<Node> conv = m.graph().nodes().stream()
                .filter(n -> n.origin().module().equals("blocks.1.conv")).toList();
        assertTrue(!conv.isEmpty());
        for (Node n : conv) {
            assertEquals("Conv2d", n.origin().composite());
            assertEquals("m.py", n.origin().pos().file());
            assertEquals(13, n.origin().pos().line(), "the user's call site in Block.forward");
        }
        for (Node n : m.graph().nodes()) assertEquals("m.py", n.origin().pos().file(), "no prelude positions");
        // Two Conv2d calls (one per block) are two instances of the composite.
        Set<Integer> instances = m.graph().nodes().stream().filter(n -> n.origin().composite().equals("Conv2d"))
                .map(n -> n.origin().instance()).collect(Collectors.toSet());
        assertEquals(2, instances.size());
    }

    @Test void registrationRules() {
        Map<String, Object> g = PythonSemanticsTest.run("""
                import torch
                import torch.nn as nn
                class M(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.lin = nn.Linear(2, 3)
                        self.p = nn.Parameter(torch.zeros(3))
                        self.plain = torch.zeros(2)
                        self.k = 3
                        self.register_parameter('none_param', None)
                M0 = M()
                names = [n for n, _ in M0.named_parameters()]
                mods = [n for n, _ in M0.named_modules()]
                kids = [type(c).__name__ for c in M0.children()]
                nparams = len(list(M0.parameters()))
                training = M0.training
                M0.eval()
                after = M0.lin.training
                same = M0.to('cuda') is M0 and M0.cuda() is M0 and M0.float() is M0
                none_param = M0.none_param
                M0.lin = None
                lin_after = M0.lin
                visited = []
                M0.train().apply(lambda m: visited.append(type(m).__name__))
                has = hasattr(M0, 'lin'), hasattr(M0, 'nothing')
                sd = list(M0.state_dict().keys())
                is_param = isinstance(M0.p, nn.Parameter), isinstance(M0.plain, nn.Parameter), isinstance(M0.plain, torch.Tensor)
                """);
        assertEquals("[p, lin.weight, lin.bias]", g.get("names").toString());
        assertEquals("[, lin]", g.get("mods").toString());
        assertEquals("[Linear]", g.get("kids").toString());
        assertEquals(3L, g.get("nparams"));
        assertEquals(true, g.get("training"));
        assertEquals(false, g.get("after"));
        assertEquals(true, g.get("same"));
        assertEquals(Py.NONE, g.get("none_param"));
        assertEquals(Py.NONE, g.get("lin_after"));
        assertEquals("[M]", g.get("visited").toString());
        assertEquals(Py.Tuple.of(true, false), g.get("has"));
        assertEquals("[p]", g.get("sd").toString());
        assertEquals(Py.Tuple.of(true, false, true), g.get("is_param"));
    }

    @Test void assigningANonParameterToAParameterNameIsAnError() {
        CompileError e = assertThrows(CompileError.class, () -> PythonSemanticsTest.run("""
                import torch
                import torch.nn as nn
                class M(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.w = nn.Parameter(torch.zeros(3))
                        self.w = 5
                M()
                """));
        assertTrue(e.getMessage().contains("cannot assign 'int' as parameter 'w'"), e.getMessage());
        assertEquals(7, e.line());
    }

    @Test void errorsInsideThePreludePointAtTheUsersLine() {
        CompileError e = assertThrows(CompileError.class, () -> load("""
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.fc = nn.Linear(5, 3)
                    def forward(self, x):
                        y = x * 2
                        return self.fc(y)
                def get_inputs():
                    return [torch.rand(4, 6)]
                def get_init_inputs():
                    return []
                """));
        assertEquals("m.py", e.file());
        assertEquals(9, e.line(), e.format());
    }

    @Test void missingConventionFunctionsAreErrorsAt1_1() {
        CompileError e = assertThrows(CompileError.class, () -> load("import torch\nx = 1\n"));
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("Model"), e.getMessage());
        e = assertThrows(CompileError.class, () -> load("""
                import torch.nn as nn
                class Model(nn.Module):
                    def forward(self, x):
                        return x
                """));
        assertTrue(e.getMessage().contains("get_inputs"), e.getMessage());
        LoadedModel m = load("""
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def forward(self, x):
                        return torch.relu(x)
                def get_inputs():
                    return [torch.rand(3)]
                """);
        assertEquals(1, m.graph().outputs().size(), "get_init_inputs may be absent");
    }

    @Test void dataDependentControlFlowIsAnError() {
        CompileError e = assertThrows(CompileError.class, () -> load("""
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def forward(self, x):
                        if x.sum() > 0:
                            return x
                        return -x
                def get_inputs():
                    return [torch.rand(3)]
                """));
        assertTrue(e.getMessage().startsWith("data-dependent control flow is not supported"), e.getMessage());
        assertEquals(5, e.line());
    }

    @Test void constantsAndDefines() {
        String src = """
                import torch
                import torch.nn as nn
                batch_size = 8
                dim = 16
                shape = (batch_size, dim)
                eps = 1e-5
                name = 'x'
                class Model(nn.Module):
                    def forward(self, x):
                        return x + eps
                def get_inputs():
                    return [torch.rand(*shape)]
                """;
        LoadedModel m = Frontend.load("m.py", src, Map.of("batch_size", "2"));
        assertEquals(List.of("batch_size", "dim", "shape", "eps"), List.copyOf(m.constants().keySet()));
        assertEquals(Py.Tuple.of(2L, 16L), m.constants().get("shape"));
        assertEquals(List.of(TensorType.of(DType.F32, 2, 16)), m.inputTypes());
    }

    @Test void functionalCompositesAreNumberedPerCall() {
        LoadedModel m = load("""
                import torch
                import torch.nn as nn
                import torch.nn.functional as F
                class Model(nn.Module):
                    def forward(self, x):
                        a = F.softmax(x, dim=-1)
                        b = F.softmax(a * 2, dim=-1)
                        print(f"debug {b.shape} {b:.3f}")
                        return b
                def get_inputs():
                    return [torch.rand(3, 5)]
                """);
        Map<Integer, Set<Integer>> instancesByLine = m.graph().nodes().stream()
                .filter(n -> n.origin().composite().equals("softmax"))
                .collect(Collectors.groupingBy(n -> n.origin().pos().line(),
                        Collectors.mapping(n -> n.origin().instance(), Collectors.toSet())));
        assertEquals(Set.of(6, 7), instancesByLine.keySet());
        assertEquals(1, instancesByLine.get(6).size(), "one softmax call is one instance");
        assertTrue(!instancesByLine.get(6).equals(instancesByLine.get(7)), "two calls are two instances");
        Node mul = m.graph().nodes().stream().filter(n -> n.origin().pos().line() == 7
                && !n.origin().composite().equals("softmax")).findFirst().orElseThrow();
        assertEquals("", mul.origin().module(), "the root module's path is empty");
    }

    @Test void tensorSeamBehaviour() {
        Map<String, Object> g = PythonSemanticsTest.run("""
                import torch
                a = torch.ones(3)
                alias = a
                a += 1
                same = alias is a
                b = torch.ones(3)
                b2 = b
                b = b + 1
                rebound = b2 is b
                total = float(torch.ones(2, 3).sum())
                n = int(torch.arange(5)[3])
                shape_ok = a.shape == (3,) and len(a) == 3 and isinstance(a, torch.Tensor)
                has = hasattr(a, 'shape'), hasattr(a, 'no_such_attribute'), getattr(a, 'nope', 7)
                parts = [t.shape[0] for t in torch.ones(4, 2)]
                """);
        assertEquals(true, g.get("same"), "x += y keeps the tensor object");
        assertEquals(false, g.get("rebound"));
        assertEquals(6.0, g.get("total"));
        assertEquals(3L, g.get("n"));
        assertEquals(true, g.get("shape_ok"));
        assertEquals(Py.Tuple.of(true, false, 7L), g.get("has"));
        assertEquals("[2, 2, 2, 2]", g.get("parts").toString());
    }

    @Test void debugPrintsOfRunTimeValuesAreWarnings() {
        LoadedModel m = load("""
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def forward(self, x):
                        print('mean', x.mean().item())
                        return x * 2
                def get_inputs():
                    return [torch.rand(3)]
                """);
        assertEquals(1, m.warnings().size(), m.warnings().toString());
        assertTrue(m.warnings().get(0).startsWith("m.py:5:"), m.warnings().get(0));
    }

    @Test void unregisteredWeightsAreLocatedErrorsWithAHint() {
        CompileError e = assertThrows(CompileError.class, () -> load("""
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.layers = [nn.Linear(4, 4), nn.ReLU()]
                    def forward(self, x):
                        for l in self.layers:
                            x = l(x)
                        return x
                def get_inputs():
                    return [torch.rand(2, 4)]
                """));
        assertEquals(6, e.line(), e.format());
        assertTrue(e.getMessage().contains("hint: self.layers is a plain list of modules"), e.getMessage());
    }

    @Test void forwardMayReturnANamedTuple() {
        LoadedModel m = load("""
                import collections
                import torch
                import torch.nn as nn
                Out = collections.namedtuple('Out', 'y z')
                class Model(nn.Module):
                    def forward(self, x):
                        return Out(x * 2, x.sum())
                def get_inputs():
                    return [torch.rand(3)]
                """);
        assertEquals(2, m.graph().outputs().size());
        assertEquals(TensorType.of(DType.F32), m.graph().outputs().get(1).type());
    }
}
