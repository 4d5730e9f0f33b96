/**
 * kc's reference interpreter and host tensors: the numerical ground truth for the Graph IR.
 *
 * <ul>
 *   <li>{@link kc.ir.interp.Interpreter#run}: runs a graph on {@link kc.ir.interp.HostTensor}s in float64;
 *   <li>{@link kc.ir.interp.HostTensor}: an immutable typed tensor held as doubles;
 *   <li>{@link kc.ir.interp.Npy}: NumPy .npy files, how tensors travel to and from PyTorch.
 * </ul>
 * Inside, each {@link kc.ir.graph.Op.Generic} is compiled once ({@code GenericKernel}): its body into a tree
 * of lambdas ({@code ScalarCompiler}), its index maps into incremental offsets ({@code OperandAccess}), and
 * its domain walked by an odometer, split over threads for large ops.
 */
package kc.ir.interp;
