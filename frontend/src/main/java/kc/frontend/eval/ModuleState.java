package kc.frontend.eval;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
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
    /**
     * Registered hooks by PyTorch's attribute name (_forward_hooks, _state_dict_hooks...), each handle id to hook, in
     * registration order; created on first registration. kc runs none of them (see NnModule's hook registration).
     */
    final Map<String, Py.PyDict> hooks = new LinkedHashMap<>();
    /** Where each hook was registered (file:line:col), by handle id: the error for a forward hook names it. */
    final Map<Long, NnModule.Site> hookSites = new HashMap<>();
}
