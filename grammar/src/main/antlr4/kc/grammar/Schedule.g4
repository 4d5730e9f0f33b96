/*
 * The schedule language: kc's text form of a Schedule, one GroupSchedule per `group`. ScheduleText (passes/) parses
 * it into kc's records and prints them back; print -> parse -> print is the identity.
 *
 *   # kc schedule
 *   precision tf32x3
 *   group linear1 = linear1, sigmoid#1
 *     strategy pointwise  threads 256  items 1  vector 1  accumulate double
 *   group big_sum#1
 *     strategy grid  split 8  threads 256  accumulate double
 *
 * A group is `group NAME`, optionally `= MEMBER, MEMBER...` (the origins fused into it; left out, the fusion
 * heuristics decide), then knobs in any order, each at most once:
 *
 *   strategy pointwise|warp|block|grid|scan|tile|window   required
 *   threads N                                 default 256   threads per block
 *   items N                                   default 1     output elements per thread
 *   vector N                                  default 1     elements per global access
 *   accumulate plain|double                   default double
 *   split N                                   default 1     blocks sharing one output's reduction (grid)
 *   tile MxNxK                                              a block's output tile and reduction step (tile)
 *   thread MxN                                              each thread's outputs within the tile (tile, on the cores)
 *   warp MxN                                                each warp's outputs within the tile (tile, tensor cores)
 *   mma tf32x3|tf32|bf16                                    tensor cores: fp32 operands split in two tf32 parts (fp32-
 *                                                           accurate), or rounded once to tf32 or bf16 (reduced precision)
 *   stages N                                  default kc's  operand buffers (tile): 2+ a cp.async ring, 1 registers
 *   swizzle N                                 default 1     tile order (tile): bands of N tile rows, for L2 reuse
 *
 * N is a whole number from 1. Line breaks and spacing mean nothing. `#` starts a comment to the end of the line,
 * except inside a name: `softmax#1` is one name, `x # note` is a name and a comment.
 *
 * Names (groups and members) are one word of letters, digits and _ . # / : (not starting with #). Every keyword is
 * also a name wherever a name is expected, so a module called `block` or `group` can be scheduled.
 *
 * The checks that need more than one token (a required strategy, a knob given twice, a group declared twice,
 * numbers from 1) are ScheduleText's, which also words ANTLR's syntax errors.
 */
grammar Schedule;

schedule : precision? group* EOF ;

// The numerics every group must keep (fp32: the cores only; tf32x3: tensor cores at fp32 accuracy; tf32, bf16: PyTorch's
// reduced classes); left out, the command line's.
precision : PRECISION word=( FP32 | TF32X3 | TF32 | BF16 ) ;

group : GROUP name members? knob* ;

members : '=' name ( ',' name )* ;

knob
    : STRATEGY word=( POINTWISE | WARP | BLOCK | GRID | SCAN | TILE | WINDOW )
    | ACCUMULATE word=( PLAIN | DOUBLE )
    | ( THREADS | ITEMS | VECTOR | SPLIT | STAGES | SWIZZLE ) count
    | ( TILE | THREAD | WARP ) size
    | MMA word=( TF32X3 | TF32 | BF16 )
    ;

// A size is whole numbers joined by x (128x128x16); a single number is taken here so that ScheduleText can say how
// many it needs rather than "unexpected '16'".
size : SIZE | NUMBER ;

// A negative number is taken here so that ScheduleText can say it is out of range rather than "unexpected '-'".
count : NUMBER | NEGATIVE ;

name
    : NAME | NUMBER
    | GROUP | STRATEGY | THREADS | ITEMS | VECTOR | ACCUMULATE | SPLIT | STAGES | SWIZZLE | TILE | THREAD | SIZE | MMA | TF32X3 | TF32 | BF16 | PRECISION | FP32
    | POINTWISE | WARP | BLOCK | GRID | SCAN | WINDOW | PLAIN | DOUBLE
    ;

// Keywords and NUMBER come before NAME so that they win ties on equal length; a longer word (`groups`, `256x`) is
// a NAME.
GROUP      : 'group' ;
STRATEGY   : 'strategy' ;
THREADS    : 'threads' ;
ITEMS      : 'items' ;
VECTOR     : 'vector' ;
ACCUMULATE : 'accumulate' ;
SPLIT      : 'split' ;
STAGES     : 'stages' ;
SWIZZLE    : 'swizzle' ;
TILE       : 'tile' ;
THREAD     : 'thread' ;
MMA        : 'mma' ;
PRECISION  : 'precision' ;
FP32       : 'fp32' ;
TF32X3     : 'tf32x3' ;
TF32       : 'tf32' ;
BF16       : 'bf16' ;
POINTWISE  : 'pointwise' ;
WARP       : 'warp' ;
BLOCK      : 'block' ;
GRID       : 'grid' ;
SCAN       : 'scan' ;
WINDOW     : 'window' ;
PLAIN      : 'plain' ;
DOUBLE     : 'double' ;

NUMBER   : [0-9]+ ;
SIZE     : [0-9]+ ( 'x' [0-9]+ )+ ;
NEGATIVE : '-' [0-9]+ ;
NAME     : [A-Za-z0-9_./:] [A-Za-z0-9_./:#]* ;

EQUALS : '=' ;
COMMA  : ',' ;

COMMENT : '#' ~[\r\n]* -> skip ;
SPACE   : [ \t\r\n\f]+ -> skip ;

// Any other character reaches the parser as a token of its own, so that the lexer never reports (or prints) an
// error: ScheduleText reports it as unexpected where it stands.
STRAY : . ;
