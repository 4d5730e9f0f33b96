/**
 * kc's symbolic Python evaluator: runs a model file's Python code on kc's AST, with tensors as graph values.
 *
 * <h2>Where things are</h2>
 * <ul>
 *   <li>{@link kc.frontend.eval.ModelEvaluator}: the KernelBench phases (module code with -D overrides,
 *       get_init_inputs, Model(...), get_inputs, forward) and the cut of the traced values into a Graph.</li>
 *   <li>{@code Interpreter}: statements, expressions, scopes ({@code Scope}), argument binding, def and class.</li>
 *   <li>{@code PyRuntime}: the object model (attributes, calls, operators, truthiness, iteration, repr) with
 *       dunder dispatch and delegation of tensors to the {@link kc.frontend.torch.TorchLibrary}; it is the
 *       {@link kc.frontend.eval.CallContext} and tracks origins (user position, prelude composite, module path).</li>
 *   <li>{@code Types}, {@code Builtins}, {@code Methods}: built-in types, functions and methods of plain values;
 *       {@code Operators}, {@code Formatting}: Python arithmetic and text forms; {@code StdModules}: math,
 *       typing, collections, itertools, functools...; {@code NnModule}: torch.nn.Module, native.</li>
 * </ul>
 *
 * <h2>Decisions at the seam with the torch library</h2>
 * <ul>
 *   <li>Python truthiness of a tensor is always a CompileError here (data-dependent control flow); .item(),
 *       float(t) and int(t) call the library's {@code item} method, which evaluates constants at compile time.</li>
 *   <li>{@code x op= y} on a tensor calls {@code binaryOp} and rebinds the tensor box to the result (PyTorch's
 *       in-place semantics for every alias of x); abs(t) and round(t) call the tensor methods abs/round.</li>
 *   <li>torch.Tensor and torch.nn.Parameter are classes (so isinstance works); calling them runs the library's
 *       function of that name. nn.Module is the evaluator's; its half()/double()/bfloat16() are unsupported
 *       (kc keeps parameter dtypes), to()/cuda()/float() return the module.</li>
 *   <li>Grad modes (torch.no_grad...) and TorchScript/compile decorators are no-ops unless the library defines
 *       them; an unknown attribute of a torch module used as a decorator is the identity, with a warning.</li>
 *   <li>Origins: the composite is the outermost prelude function (or, for a method, the most derived prelude
 *       class of the instance: Conv2d, not _ConvNd) running above the innermost user frame; user code called
 *       from the prelude (a user module inside nn.Sequential) starts afresh. Outside the prelude the composite is
 *       the primitive, numbered once per native call. The module path is the nn.Module whose forward runs
 *       (modules outside the model's tree keep their caller's path).</li>
 *   <li>Python errors (TypeError, KeyError, raise, assert...) are catchable by try/except in the evaluated code;
 *       escaping, they are CompileErrors "Type: message" at the user position where they were raised. Java
 *       exceptions from builtins are bugs: "internal error: ..." at the innermost user position.</li>
 *   <li>-D NAME=VALUE: VALUE is a Python expression, normally a literal (int, float, bool, None, 'str' with
 *       quotes, tuples/lists). Every assignment statement (=, :, op=) at the top level of the module that binds
 *       NAME binds VALUE instead, evaluated there: exactly what kc's PyTorch reference harness does, so both run
 *       the same problem.</li>
 * </ul>
 */
package kc.frontend.eval;
