package kc.ir.tile;

/** Where a buffer lives: global device memory (kernel parameters) or the block's shared memory. */
public enum Space { GLOBAL, SHARED }
