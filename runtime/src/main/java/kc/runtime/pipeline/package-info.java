/**
 * kc's compiler as one list of stages: {@link kc.runtime.pipeline.Pipeline} (start here) runs them in order with
 * the verifier of each stage's output, stops after any stage ({@link kc.runtime.pipeline.Stage}) and hands back a
 * {@link kc.runtime.pipeline.Compilation}; {@link kc.runtime.pipeline.Explain} prints it. It lives in the runtime
 * module because it needs every module below: the frontend, the passes and the renderers.
 */
package kc.runtime.pipeline;
