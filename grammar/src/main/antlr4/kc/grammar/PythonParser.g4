/*
 * The Python subset that PyTorch module files use, written for speed under SLL prediction:
 * one rule per precedence level (no left recursion, so no precedence predicates), and every
 * choice decidable from one or two tokens (no SLL conflict, no full-context prediction on the
 * KernelBench files and CPython's standard library). Assignment targets, parameter order and
 * similar rules are checked when kc.frontend.parse builds the AST, as CPython checks them after
 * parsing.
 *
 * Left out on purpose: async/await, match statements, except*, type parameters (PEP 695) and
 * f-strings that reuse their own quote inside a replacement field (PEP 701). 'yield from' parses
 * but kc's AST has no node for it.
 */
parser grammar PythonParser;

options { tokenVocab = PythonLexer; }

fileInput : stmt* EOF ;

// The interior of an f-string replacement field, wrapped in parentheses by the caller.
fstringInput : OPEN_PAREN ( yieldExpr | testListStarExpr ) CLOSE_PAREN NEWLINE EOF ;

// A lone expression, as Python's eval() reads it (the caller strips leading blanks).
evalInput : testListStarExpr NEWLINE EOF ;

stmt
    : simpleStmts
    | compoundStmt
    ;

simpleStmts : simpleStmt ( SEMI simpleStmt )* SEMI? NEWLINE ;

simpleStmt
    : exprStmt
    | delStmt
    | passStmt
    | breakStmt
    | continueStmt
    | returnStmt
    | raiseStmt
    | globalStmt
    | nonlocalStmt
    | importName
    | importFrom
    | assertStmt
    ;

// Targets are parsed as expressions; the AST builder checks that they are assignable.
exprStmt
    : testListStarExpr
      ( annAssign
      | augAssign ( yieldExpr | testListStarExpr )
      | ( ASSIGN ( yieldExpr | testListStarExpr ) )*
      )
    | yieldExpr
    ;

annAssign : COLON test ( ASSIGN ( yieldExpr | testListStarExpr ) )? ;

augAssign
    : ADD_ASSIGN | SUB_ASSIGN | MULT_ASSIGN | AT_ASSIGN | DIV_ASSIGN | MOD_ASSIGN | AND_ASSIGN
    | OR_ASSIGN | XOR_ASSIGN | LEFT_SHIFT_ASSIGN | RIGHT_SHIFT_ASSIGN | POWER_ASSIGN | IDIV_ASSIGN
    ;

delStmt      : DEL exprList ;
passStmt     : PASS ;
breakStmt    : BREAK ;
continueStmt : CONTINUE ;
returnStmt   : RETURN testListStarExpr? ;
raiseStmt    : RAISE ( test ( FROM test )? )? ;
globalStmt   : GLOBAL NAME ( COMMA NAME )* ;
nonlocalStmt : NONLOCAL NAME ( COMMA NAME )* ;
assertStmt   : ASSERT test ( COMMA test )? ;

importName   : IMPORT dottedAsName ( COMMA dottedAsName )* ;
dottedAsName : dottedName ( AS NAME )? ;
dottedName   : NAME ( DOT NAME )* ;
// "from import x" (neither dots nor a module) is rejected by the AST builder.
importFrom   : FROM ( DOT | ELLIPSIS )* dottedName? IMPORT importTargets ;
importTargets
    : STAR
    | OPEN_PAREN importAsName ( COMMA importAsName )* COMMA? CLOSE_PAREN
    | importAsName ( COMMA importAsName )*
    ;
importAsName : NAME ( AS NAME )? ;

compoundStmt
    : ifStmt
    | whileStmt
    | forStmt
    | tryStmt
    | withStmt
    | funcDef
    | classDef
    | decorated
    ;

decorated : decorator+ ( classDef | funcDef ) ;
decorator : AT namedExprTest NEWLINE ;

funcDef    : DEF NAME parameters ( ARROW test )? COLON block ;
parameters : OPEN_PAREN paramList? CLOSE_PAREN ;
paramList  : param ( COMMA param )* COMMA? ;
param
    : NAME ( COLON test )? ( ASSIGN test )?
    | STAR ( NAME ( COLON test )? )?
    | POWER NAME ( COLON test )?
    | DIV
    ;

classDef : CLASS NAME ( OPEN_PAREN argList? CLOSE_PAREN )? COLON block ;

ifStmt     : IF namedExprTest COLON block elifClause* elseClause? ;
elifClause : ELIF namedExprTest COLON block ;
elseClause : ELSE COLON block ;
whileStmt  : WHILE namedExprTest COLON block elseClause? ;
forStmt    : FOR exprList IN testListStarExpr COLON block elseClause? ;
tryStmt
    : TRY COLON block
      ( exceptClause+ elseClause? finallyClause?
      | finallyClause
      )
    ;
exceptClause  : EXCEPT ( test ( AS NAME )? )? COLON block ;
finallyClause : FINALLY COLON block ;
withStmt      : WITH withItem ( COMMA withItem )* COLON block ;
withItem      : test ( AS expr )? ;

block
    : simpleStmts
    | NEWLINE INDENT stmt+ DEDENT
    ;

// ---- expressions, loosest binding first ----

namedExprTest : test ( WALRUS test )? ;

test
    : orTest ( IF orTest ELSE test )?
    | lambdef
    ;

lambdef         : LAMBDA lambdaParamList? COLON test ;
lambdaParamList : lambdaParam ( COMMA lambdaParam )* COMMA? ;
lambdaParam
    : NAME ( ASSIGN test )?
    | STAR NAME?
    | POWER NAME
    | DIV
    ;

orTest  : andTest ( OR andTest )* ;
andTest : notTest ( AND notTest )* ;
notTest
    : NOT notTest
    | comparison
    ;

comparison : expr ( compOp expr )* ;
compOp
    : LESS_THAN | GREATER_THAN | EQUALS | GT_EQ | LT_EQ | NOT_EQ
    | IN | NOT IN | IS | IS NOT
    ;

starExpr : STAR expr ;

expr       : xorExpr ( OR_OP xorExpr )* ;
xorExpr    : andExpr ( XOR andExpr )* ;
andExpr    : shiftExpr ( AND_OP shiftExpr )* ;
shiftExpr  : arithExpr ( ( LEFT_SHIFT | RIGHT_SHIFT ) arithExpr )* ;
arithExpr  : term ( ( ADD | MINUS ) term )* ;
term       : factor ( ( STAR | AT | DIV | MOD | IDIV ) factor )* ;
// Unary operators bind looser than ** on their right: -x**2 is -(x**2), and 2**-1 is allowed.
factor
    : ( ADD | MINUS | NOT_OP ) factor
    | power
    ;
power      : atomExpr ( POWER factor )? ;
atomExpr   : atom trailer* ;

atom
    : OPEN_PAREN ( yieldExpr | testListComp )? CLOSE_PAREN
    | OPEN_BRACK testListComp? CLOSE_BRACK
    | OPEN_BRACE dictOrSetMaker? CLOSE_BRACE
    | NAME
    | NUMBER
    | STRING+
    | ELLIPSIS
    | NONE
    | TRUE
    | FALSE
    ;

testListComp
    : ( namedExprTest | starExpr ) ( compFor | ( COMMA ( namedExprTest | starExpr ) )* COMMA? )
    ;

trailer
    : OPEN_PAREN argList? CLOSE_PAREN
    | OPEN_BRACK subscriptList CLOSE_BRACK
    | DOT NAME
    ;

subscriptList : subscript ( COMMA subscript )* COMMA? ;
subscript
    : namedExprTest ( COLON test? sliceStep? )?
    | COLON test? sliceStep?
    | starExpr
    ;
sliceStep : COLON test? ;

exprList        : ( expr | starExpr ) ( COMMA ( expr | starExpr ) )* COMMA? ;
testListStarExpr: ( test | starExpr ) ( COMMA ( test | starExpr ) )* COMMA? ;

// Dict and set displays share one item shape; the AST builder rejects a mixture.
dictOrSetMaker : dictOrSetItem ( compFor | ( COMMA dictOrSetItem )* COMMA? ) ;
dictOrSetItem
    : test ( COLON test )?
    | POWER expr
    | starExpr
    ;

argList : argument ( COMMA argument )* COMMA? ;
argument
    : NAME ASSIGN test
    | namedExprTest compFor?
    | STAR test
    | POWER test
    ;

compFor    : compClause+ ;
compClause : FOR exprList IN orTest ( IF orTest )* ;

yieldExpr : YIELD ( FROM test | testListStarExpr )? ;
