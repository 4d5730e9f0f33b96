/*
 * Tokens of the Python subset that PyTorch module files use.
 *
 * The raw token stream still contains whitespace, comments, physical newlines and line joins;
 * PythonLexerBase turns it into Python's logical lines (NEWLINE, INDENT, DEDENT) and drops the rest.
 * It expects '\n' line endings: PythonSource normalises "\r\n" and "\r" before lexing.
 */
lexer grammar PythonLexer;

options { superClass = PythonLexerBase; }

tokens { INDENT, DEDENT }

// Keywords come before NAME so that they win the tie on equal length.
FALSE    : 'False';
NONE     : 'None';
TRUE     : 'True';
AND      : 'and';
AS       : 'as';
ASSERT   : 'assert';
BREAK    : 'break';
CLASS    : 'class';
CONTINUE : 'continue';
DEF      : 'def';
DEL      : 'del';
ELIF     : 'elif';
ELSE     : 'else';
EXCEPT   : 'except';
FINALLY  : 'finally';
FOR      : 'for';
FROM     : 'from';
GLOBAL   : 'global';
IF       : 'if';
IMPORT   : 'import';
IN       : 'in';
IS       : 'is';
LAMBDA   : 'lambda';
NONLOCAL : 'nonlocal';
NOT      : 'not';
OR       : 'or';
PASS     : 'pass';
RAISE    : 'raise';
RETURN   : 'return';
TRY      : 'try';
WHILE    : 'while';
WITH     : 'with';
YIELD    : 'yield';

// A string literal of any kind, prefix and quotes included; PythonSource decodes it (and parses f-strings).
// A backslash always escapes the next character here, even in raw strings: r"\"" is one literal.
STRING
    : STRING_PREFIX? ( SHORT_STRING | LONG_STRING )
    ;

// Open quotes without a closing one. Never longer than a proper STRING at the same place, so it only wins when
// the literal really is unterminated; PythonLexerBase reports it.
UNTERMINATED_STRING
    : STRING_PREFIX? ( '\'' ( ESCAPE | ~[\\\n'] )* | '"' ( ESCAPE | ~[\\\n"] )* ) '\\'?
    ;

UNTERMINATED_LONG_STRING
    : STRING_PREFIX?
      ( '\'\'\'' ( ~['\\] | ESCAPE | '\'' ~['\\] | '\'' ESCAPE | '\'\'' ~['\\] | '\'\'' ESCAPE )* ( '\'' | '\'\'' )? '\\'?
      | '"""' ( ~["\\] | ESCAPE | '"' ~["\\] | '"' ESCAPE | '""' ~["\\] | '""' ESCAPE )* ( '"' | '""' )? '\\'?
      )
    ;

NUMBER
    : INTEGER
    | FLOAT_NUMBER
    | IMAG_NUMBER
    ;

// Non-ASCII characters are admitted here and checked against Unicode's identifier classes by PythonLexerBase,
// which keeps this automaton small and lets a stray '€' be reported as Python reports it.
NAME
    : ID_START ID_CONTINUE*
    ;

NEWLINE : '\n' ;

// Kept (not skipped) so that PythonLexerBase can measure indentation; it never reaches the parser.
WS         : [ \t\f]+ ;
COMMENT    : '#' ~[\n]* ;
LINE_JOIN  : '\\' '\n' ;

ELLIPSIS    : '...';
DOT         : '.';
STAR        : '*';
OPEN_PAREN  : '(';
CLOSE_PAREN : ')';
COMMA       : ',';
COLON       : ':';
SEMI        : ';';
POWER       : '**';
ASSIGN      : '=';
OPEN_BRACK  : '[';
CLOSE_BRACK : ']';
OR_OP       : '|';
XOR         : '^';
AND_OP      : '&';
LEFT_SHIFT  : '<<';
RIGHT_SHIFT : '>>';
ADD         : '+';
MINUS       : '-';
DIV         : '/';
MOD         : '%';
IDIV        : '//';
NOT_OP      : '~';
OPEN_BRACE  : '{';
CLOSE_BRACE : '}';
LESS_THAN   : '<';
GREATER_THAN: '>';
EQUALS      : '==';
GT_EQ       : '>=';
LT_EQ       : '<=';
NOT_EQ      : '!=';
AT          : '@';
ARROW       : '->';
WALRUS      : ':=';

ADD_ASSIGN         : '+=';
SUB_ASSIGN         : '-=';
MULT_ASSIGN        : '*=';
AT_ASSIGN          : '@=';
DIV_ASSIGN         : '/=';
MOD_ASSIGN         : '%=';
AND_ASSIGN         : '&=';
OR_ASSIGN          : '|=';
XOR_ASSIGN         : '^=';
LEFT_SHIFT_ASSIGN  : '<<=';
RIGHT_SHIFT_ASSIGN : '>>=';
POWER_ASSIGN       : '**=';
IDIV_ASSIGN        : '//=';

// Anything else (a stray backslash, '$', '?', NUL, a byte of a binary file): PythonLexerBase reports it.
ERROR_CHAR : . ;

fragment STRING_PREFIX
    : [rRuUbBfF]
    | [rR] [bBfF]
    | [bBfF] [rR]
    ;

fragment SHORT_STRING
    : '\'' ( ESCAPE | ~[\\\n'] )* '\''
    | '"' ( ESCAPE | ~[\\\n"] )* '"'
    ;

fragment LONG_STRING
    : '\'\'\'' ( ESCAPE | ~'\\' )*? '\'\'\''
    | '"""' ( ESCAPE | ~'\\' )*? '"""'
    ;

fragment ESCAPE : '\\' . ;

fragment INTEGER
    : NON_ZERO_DIGIT ( '_'? DIGIT )*
    | '0'+ ( '_'? '0' )*
    | '0' [oO] ( '_'? [0-7] )+
    | '0' [xX] ( '_'? [0-9a-fA-F] )+
    | '0' [bB] ( '_'? [01] )+
    ;

fragment FLOAT_NUMBER
    : POINT_FLOAT
    | EXPONENT_FLOAT
    ;

fragment POINT_FLOAT
    : DIGIT_PART? '.' DIGIT_PART
    | DIGIT_PART '.'
    ;

fragment EXPONENT_FLOAT : ( DIGIT_PART | POINT_FLOAT ) [eE] [+-]? DIGIT_PART ;
fragment IMAG_NUMBER    : ( FLOAT_NUMBER | DIGIT_PART ) [jJ] ;
fragment DIGIT_PART     : DIGIT ( '_'? DIGIT )* ;
fragment NON_ZERO_DIGIT : [1-9] ;
fragment DIGIT          : [0-9] ;

fragment ID_START    : [a-zA-Z_] | [\u0080-\u{10FFFF}] ;
fragment ID_CONTINUE : [a-zA-Z_0-9] | [\u0080-\u{10FFFF}] ;
