package kc.frontend;

import kc.ir.graph.TensorType;

/** One state_dict entry of a loaded model: its key ("layers.0.conv.weight"), type, and whether it is a buffer. */
public record ParamSpec(String key, TensorType type, boolean buffer) {}
