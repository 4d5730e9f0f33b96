package kc.grammar;

import java.util.ArrayDeque;
import java.util.Deque;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Lexer;
import org.antlr.v4.runtime.Token;

/**
 * Turns the raw tokens of {@link PythonLexer} into Python's logical lines, the way CPython's tokenizer does:
 * <ul>
 *   <li>newlines inside (), [] and {} and after a backslash continuation are dropped, as are blank and
 *       comment-only lines, whitespace and comments;</li>
 *   <li>the indentation of the first token of each logical line is compared with a stack of indentation
 *       widths and yields INDENT or DEDENT tokens (tabs advance to the next multiple of 8; the width is also
 *       measured with tabs as 1 column, and the two comparisons must agree, else the use of tabs is
 *       inconsistent);</li>
 *   <li>at the end of input a NEWLINE (if the last line lacks one) and the pending DEDENTs are emitted.</li>
 * </ul>
 * Lexical errors are thrown as {@link LexicalError} with CPython's wording.
 */
public abstract class PythonLexerBase extends Lexer {
    /** CPython's limits; they also keep the recursive-descent parser far from a stack overflow. */
    static final int MAX_BRACKET_DEPTH = 200;
    static final int MAX_INDENT_DEPTH = 100;

    private final Deque<Token> pending = new ArrayDeque<>();
    /** Open brackets, innermost last, for balance checks and error positions. */
    private final Deque<Token> brackets = new ArrayDeque<>();
    /** Indentation widths of the enclosing blocks: tabs to multiples of 8, and tabs as 1. */
    private int[] indents = new int[16];
    private int[] altIndents = new int[16];
    private int indentDepth = 1;   // indents[0] == 0 is the module level

    private boolean atLineStart = true;
    private boolean lastWasNewline = true;
    private int lineIndent;       // indentation of the current physical line so far
    private int lineAltIndent;
    private boolean finished;

    protected PythonLexerBase(CharStream input) {
        super(input);
    }

    @Override
    public Token nextToken() {
        while (pending.isEmpty()) {
            produce(super.nextToken());
        }
        return pending.poll();
    }

    @Override
    public void reset() {
        super.reset();
        pending.clear();
        brackets.clear();
        indentDepth = 1;
        atLineStart = true;
        lastWasNewline = true;
        lineIndent = lineAltIndent = 0;
        finished = false;
    }

    private void produce(Token t) {
        switch (t.getType()) {
            case PythonLexer.WS -> {
                if (atLineStart) measureIndent(t.getText());
            }
            case PythonLexer.COMMENT, PythonLexer.LINE_JOIN -> { }
            case PythonLexer.NEWLINE -> {
                if (brackets.isEmpty() && !atLineStart) {
                    pending.add(t);
                    lastWasNewline = true;
                }
                if (brackets.isEmpty()) {
                    atLineStart = true;
                    lineIndent = lineAltIndent = 0;
                }
            }
            case Token.EOF -> atEndOfInput(t);
            default -> significant(t);
        }
    }

    /** A token the parser sees; the first one on a logical line settles its indentation. */
    private void significant(Token t) {
        if (atLineStart) {
            atLineStart = false;
            indent(t);   // first, as in CPython: a bad indentation is reported before a bad token after it
        }
        lastWasNewline = false;
        switch (t.getType()) {
            case PythonLexer.UNTERMINATED_STRING -> throw new LexicalError(t.getLine(), col(t),
                    "unterminated string literal (detected at line " + t.getLine() + ")");
            case PythonLexer.UNTERMINATED_LONG_STRING -> throw new LexicalError(t.getLine(), col(t),
                    "unterminated triple-quoted string literal (detected at line " + getLine() + ")");
            case PythonLexer.ERROR_CHAR -> throw badCharacter(t);
            case PythonLexer.OPEN_PAREN, PythonLexer.OPEN_BRACK, PythonLexer.OPEN_BRACE -> {
                if (brackets.size() >= MAX_BRACKET_DEPTH) {
                    throw new LexicalError(t.getLine(), col(t), "too many nested parentheses");
                }
                brackets.push(t);
            }
            case PythonLexer.CLOSE_PAREN, PythonLexer.CLOSE_BRACK, PythonLexer.CLOSE_BRACE -> closeBracket(t);
            case PythonLexer.NAME -> checkIdentifier(t);
            case PythonLexer.NUMBER -> checkNumberEnd(t);
            default -> { }
        }
        pending.add(t);
    }

    private void closeBracket(Token t) {
        char close = t.getText().charAt(0);
        if (brackets.isEmpty()) {
            throw new LexicalError(t.getLine(), col(t), "unmatched '" + close + "'");
        }
        Token open = brackets.pop();
        char o = open.getText().charAt(0);
        if ((o == '(' && close != ')') || (o == '[' && close != ']') || (o == '{' && close != '}')) {
            String where = open.getLine() == t.getLine() ? "" : " on line " + open.getLine();
            throw new LexicalError(t.getLine(), col(t),
                    "closing parenthesis '" + close + "' does not match opening parenthesis '" + o + "'" + where);
        }
    }

    private void measureIndent(String ws) {
        for (int i = 0; i < ws.length(); i++) {
            switch (ws.charAt(i)) {
                case ' ' -> { lineIndent++; lineAltIndent++; }
                case '\t' -> { lineIndent = (lineIndent / 8 + 1) * 8; lineAltIndent++; }
                default -> { lineIndent = 0; lineAltIndent = 0; }   // form feed resets, as in CPython
            }
        }
    }

    private void indent(Token first) {
        int top = indents[indentDepth - 1];
        int altTop = altIndents[indentDepth - 1];
        if (lineIndent == top) {
            if (lineAltIndent != altTop) throw inconsistentTabs(first);
        } else if (lineIndent > top) {
            if (lineAltIndent <= altTop) throw inconsistentTabs(first);
            if (indentDepth > MAX_INDENT_DEPTH) {
                throw new LexicalError(LexicalError.Kind.LAYOUT, first.getLine(), col(first),
                        "too many levels of indentation");
            }
            if (indentDepth == indents.length) {
                indents = java.util.Arrays.copyOf(indents, indentDepth * 2);
                altIndents = java.util.Arrays.copyOf(altIndents, indentDepth * 2);
            }
            indents[indentDepth] = lineIndent;
            altIndents[indentDepth] = lineAltIndent;
            indentDepth++;
            pending.add(synthetic(PythonLexer.INDENT, "<INDENT>", first));
        } else {
            while (indentDepth > 1 && lineIndent < indents[indentDepth - 1]) {
                indentDepth--;
                pending.add(synthetic(PythonLexer.DEDENT, "<DEDENT>", first));
            }
            if (lineIndent != indents[indentDepth - 1]) {
                throw new LexicalError(LexicalError.Kind.LAYOUT, first.getLine(), col(first),
                        "unindent does not match any outer indentation level");
            }
            if (lineAltIndent != altIndents[indentDepth - 1]) throw inconsistentTabs(first);
        }
    }

    private void atEndOfInput(Token eof) {
        if (finished) {
            pending.add(eof);
            return;
        }
        finished = true;
        if (!brackets.isEmpty()) {
            Token open = brackets.peek();
            throw new LexicalError(LexicalError.Kind.UNCLOSED_BRACKET, open.getLine(), col(open),
                    "'" + open.getText() + "' was never closed");
        }
        if (!lastWasNewline) {
            pending.add(synthetic(PythonLexer.NEWLINE, "<NEWLINE>", eof));
        }
        for (; indentDepth > 1; indentDepth--) {
            pending.add(synthetic(PythonLexer.DEDENT, "<DEDENT>", eof));
        }
        pending.add(eof);
    }

    /** Non-ASCII letters were let into NAME by the lexer; Python admits only identifier characters. */
    private void checkIdentifier(Token t) {
        String s = t.getText();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            boolean ok = cp < 0x80 || (i == 0 ? Character.isUnicodeIdentifierStart(cp)
                                              : Character.isUnicodeIdentifierPart(cp) && !Character.isIdentifierIgnorable(cp));
            if (!ok) throw badCharacter(t.getLine(), col(t) + s.codePointCount(0, i), cp);
            i += Character.charCount(cp);
        }
    }

    /** "1abc", "0777", "0x" and "0b12" are single bad tokens in Python, not a number followed by something. */
    private void checkNumberEnd(Token t) {
        int next = _input.LA(1);
        String text = t.getText();
        int end = col(t) + text.length();   // a NUMBER token is ASCII: one column per char
        if (text.equals("0") && "xXoObB".indexOf(next) >= 0) {
            String kind = numberKind("0" + (char) next);
            int digit = _input.LA(2);
            if (digit >= '0' && digit <= '9') {
                throw new LexicalError(t.getLine(), end + 1, "invalid digit '" + (char) digit + "' in " + kind + " literal");
            }
            throw new LexicalError(t.getLine(), col(t), "invalid " + kind + " literal");
        }
        if (next >= '0' && next <= '9') {
            String kind = numberKind(text);
            if (!kind.equals("decimal")) {
                throw new LexicalError(t.getLine(), end, "invalid digit '" + (char) next + "' in " + kind + " literal");
            }
            if (text.chars().allMatch(c -> c == '0' || c == '_')) {
                throw new LexicalError(t.getLine(), col(t), "leading zeros in decimal integer literals are not "
                        + "permitted; use an 0o prefix for octal integers");
            }
            throw new LexicalError(t.getLine(), col(t), "invalid decimal literal");
        }
        if (next == '_' || Character.isLetter(next)) {
            // CPython still accepts a keyword glued to a number ("1if x else 2"), with a warning.
            for (String kw : GLUED_KEYWORDS) {
                if (followedBy(kw)) return;
            }
            throw new LexicalError(t.getLine(), col(t), "invalid " + numberKind(text) + " literal");
        }
    }

    private static final String[] GLUED_KEYWORDS = {"and", "else", "for", "if", "in", "is", "not", "or"};

    private boolean followedBy(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (_input.LA(i + 1) != word.charAt(i)) return false;
        }
        int after = _input.LA(word.length() + 1);
        return !(after == '_' || Character.isLetterOrDigit(after));
    }

    private static String numberKind(String text) {
        if (text.length() > 1 && text.charAt(0) == '0') {
            switch (Character.toLowerCase(text.charAt(1))) {
                case 'x' -> { return "hexadecimal"; }
                case 'o' -> { return "octal"; }
                case 'b' -> { return "binary"; }
                default -> { }
            }
        }
        return "decimal";
    }

    private LexicalError badCharacter(Token t) {
        String s = t.getText();
        if (s.equals("\\")) {
            if (_input.LA(1) == CharStream.EOF) {
                return new LexicalError(t.getLine(), col(t), "unexpected EOF while parsing");
            }
            return new LexicalError(LexicalError.Kind.LAYOUT, t.getLine(), col(t),
                    "unexpected character after line continuation character");
        }
        return badCharacter(t.getLine(), col(t), s.codePointAt(0));
    }

    private static LexicalError badCharacter(int line, int column, int cp) {
        String hex = String.format("U+%04X", cp);
        if (cp == 0) return new LexicalError(line, column, "source code cannot contain null bytes");
        if (cp < 0x80 && cp > 0x20 && cp != 0x7f) return new LexicalError(line, column, "invalid syntax");
        int type = Character.getType(cp);
        boolean printable = !(Character.isISOControl(cp) || Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                || type == Character.FORMAT || type == Character.UNASSIGNED || type == Character.SURROGATE
                || type == Character.PRIVATE_USE);
        if (!printable) return new LexicalError(line, column, "invalid non-printable character " + hex);
        return new LexicalError(line, column, "invalid character '" + Character.toString(cp) + "' (" + hex + ")");
    }

    private static LexicalError inconsistentTabs(Token t) {
        return new LexicalError(LexicalError.Kind.LAYOUT, t.getLine(), col(t),
                "inconsistent use of tabs and spaces in indentation");
    }

    private Token synthetic(int type, String text, Token at) {
        CommonToken t = new CommonToken(_tokenFactorySourcePair, type, DEFAULT_TOKEN_CHANNEL,
                at.getStartIndex(), at.getStartIndex() - 1);
        t.setText(text);
        t.setLine(at.getLine());
        t.setCharPositionInLine(at.getCharPositionInLine());
        return t;
    }

    private static int col(Token t) {
        return t.getCharPositionInLine() + 1;
    }
}
