package kc.frontend.eval;

import java.util.HashSet;
import java.util.Set;

/**
 * What torch.nn.Module keeps beside its __dict__: registered parameters, buffers and submodules in registration
 * order (a value may be None: a registered name without a tensor, as after {@code self.bias = None}). They are
 * Python dicts so that code reading {@code self._modules} sees them live, as in PyTorch.
 */
final class ModuleState {
    final Py.PyDict parameters = new Py.PyDict();
    final Py.PyDict buffers = new Py.PyDict();
    final Py.PyDict modules = new Py.PyDict();
    final Set<String> nonPersistentBuffers = new HashSet<>();
}
