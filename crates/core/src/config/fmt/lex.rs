//! HCL native-syntax tokens as hclsyntax's scanner cuts them, because hclwrite formats that
//! token stream: its lines end at newline tokens (a heredoc's body is inside its opening
//! line), and its spacing rules look at token kinds. Whitespace between tokens is dropped;
//! layout regenerates it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// An identifier; `-` may continue one, so `a-1` is a single identifier.
    Ident,
    Number,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    EqualOp,
    NotEqual,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Bang,
    Dot,
    Ellipsis,
    Question,
    Colon,
    DoubleColon,
    FatArrow,
    Equal,
    Comma,
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    OQuote,
    CQuote,
    /// Literal text of a quoted string, escapes included.
    QuotedLit,
    /// `${` or `${~`.
    Interp,
    /// `%{` or `%{~`.
    Control,
    /// The `}` or `~}` closing an interpolation or directive.
    SeqEnd,
    /// `<<EOT` or `<<-EOT` with the newline after it.
    OHeredoc,
    /// A heredoc's closing line, indentation included, newline excluded.
    CHeredoc,
    /// Literal heredoc text, with its newline when it reaches the end of the line.
    StringLit,
    /// A comment; a `#` or `//` comment includes the newline that ends it.
    Comment,
    Newline,
    /// Anything else (`~`, `;`, a newline inside quotes...): invalid, rejected by the parser.
    Other,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub kind: Kind,
    pub text: String,
    /// Spaces before the token, as layout decides them.
    pub spaces: usize,
}

impl Token {
    pub(super) fn new(kind: Kind, text: &str) -> Token {
        Token {
            kind,
            text: text.to_string(),
            spaces: 0,
        }
    }

    /// hclwrite's bracket count: template sequences open and close like brackets.
    pub(super) fn bracket(&self) -> i32 {
        match self.kind {
            Kind::OBrace | Kind::OBrack | Kind::OParen | Kind::Interp | Kind::Control => 1,
            Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::SeqEnd => -1,
            _ => 0,
        }
    }

    /// Whether the token ends a line (a line comment swallows its newline).
    pub(super) fn ends_line(&self) -> bool {
        self.kind == Kind::Newline || (self.kind == Kind::Comment && self.text.ends_with('\n'))
    }
}

#[derive(Clone, Copy)]
enum Mode {
    Main,
    Quoted,
    Heredoc,
}

struct Heredoc {
    marker: String,
    start_of_line: bool,
}

/// The scanner's state machine: a mode stack (expressions inside templates inside
/// expressions), the brace depth at which each interpolation ends, open heredocs.
struct Scanner {
    c: Vec<char>,
    p: usize,
    toks: Vec<Token>,
    modes: Vec<Mode>,
    braces: i32,
    ret_braces: Vec<i32>,
    heredocs: Vec<Heredoc>,
}

pub(super) fn lex(src: &str) -> Vec<Token> {
    let mut s = Scanner {
        c: src.chars().collect(),
        p: 0,
        toks: Vec::new(),
        modes: vec![Mode::Main],
        braces: 0,
        ret_braces: Vec::new(),
        heredocs: Vec::new(),
    };
    while s.p < s.c.len() {
        match s.modes.last().copied().unwrap_or(Mode::Main) {
            Mode::Main => s.main(),
            Mode::Quoted => s.quoted(),
            Mode::Heredoc => s.heredoc(),
        }
    }
    s.toks
}

const OPERATORS: [(&str, Kind); 27] = [
    ("...", Kind::Ellipsis),
    ("==", Kind::EqualOp),
    ("!=", Kind::NotEqual),
    (">=", Kind::Ge),
    ("<=", Kind::Le),
    ("&&", Kind::And),
    ("||", Kind::Or),
    ("::", Kind::DoubleColon),
    ("=>", Kind::FatArrow),
    ("[", Kind::OBrack),
    ("]", Kind::CBrack),
    ("(", Kind::OParen),
    (")", Kind::CParen),
    (".", Kind::Dot),
    (",", Kind::Comma),
    ("*", Kind::Star),
    ("/", Kind::Slash),
    ("%", Kind::Percent),
    ("+", Kind::Plus),
    ("-", Kind::Minus),
    ("=", Kind::Equal),
    ("<", Kind::Lt),
    (">", Kind::Gt),
    ("!", Kind::Bang),
    ("?", Kind::Question),
    (":", Kind::Colon),
    ("{", Kind::OBrace),
];

fn ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl Scanner {
    fn at(&self, i: usize) -> char {
        self.c.get(i).copied().unwrap_or('\0')
    }

    fn starts(&self, i: usize, s: &str) -> bool {
        s.chars().enumerate().all(|(k, ch)| self.at(i + k) == ch)
    }

    fn emit(&mut self, kind: Kind, to: usize) {
        let to = to.min(self.c.len());
        let text: String = self.c[self.p..to].iter().collect();
        self.toks.push(Token::new(kind, &text));
        self.p = to;
    }

    /// Length of a newline (`\n` or `\r\n`) at `i`, or 0.
    fn newline(&self, i: usize) -> usize {
        match (self.at(i), self.at(i + 1)) {
            ('\n', _) => 1,
            ('\r', '\n') => 2,
            _ => 0,
        }
    }

    fn main(&mut self) {
        let p = self.p;
        let ch = self.at(p);
        if ch == ' ' || ch == '\t' {
            self.p += 1;
        } else if self.newline(p) > 0 {
            self.emit(Kind::Newline, p + self.newline(p));
        } else if ch == '#' || self.starts(p, "//") {
            let end = (p..self.c.len()).find(|&j| self.c[j] == '\n');
            self.emit(Kind::Comment, end.map_or(self.c.len(), |e| e + 1));
        } else if self.starts(p, "/*") {
            let end = (p + 2..self.c.len()).find(|&j| self.starts(j, "*/"));
            self.emit(Kind::Comment, end.map_or(self.c.len(), |e| e + 2));
        } else if ch == '"' {
            self.emit(Kind::OQuote, p + 1);
            self.modes.push(Mode::Quoted);
        } else if self.starts(p, "<<") && self.heredoc_opener(p) {
            // Emitted by `heredoc_opener`; a `<<` not followed by a marker and newline
            // falls through to two `<` operators.
        } else if ch == '}' || self.starts(p, "~}") {
            let len = if ch == '}' { 1 } else { 2 };
            let ends_template = self.ret_braces.last() == Some(&self.braces);
            self.braces -= 1;
            if ends_template {
                self.ret_braces.pop();
                self.modes.pop();
            }
            let kind = if ends_template || len == 2 {
                Kind::SeqEnd
            } else {
                Kind::CBrace
            };
            self.emit(kind, p + len);
        } else if ch.is_ascii_digit() {
            self.number(p);
        } else if ident_start(ch) {
            let end = (p + 1..self.c.len())
                .find(|&j| !ident_continue(self.c[j]))
                .unwrap_or(self.c.len());
            self.emit(Kind::Ident, end);
        } else if let Some((op, kind)) = OPERATORS.iter().find(|(op, _)| self.starts(p, op)) {
            if *kind == Kind::OBrace {
                self.braces += 1;
            }
            self.emit(*kind, p + op.chars().count());
        } else {
            self.emit(Kind::Other, p + 1);
        }
    }

    /// Digits with `.` and exponents inside, never ending in `.` (so `x.0.y` splits).
    fn number(&mut self, p: usize) {
        let (mut j, mut end) = (p + 1, p + 1);
        loop {
            let ch = self.at(j);
            let sign = matches!(self.at(j + 1), '+' | '-');
            if ch.is_ascii_digit() {
                j += 1;
                end = j;
            } else if ch == '.' {
                j += 1;
            } else if matches!(ch, 'e' | 'E') && self.at(j + 1 + sign as usize).is_ascii_digit() {
                j += 2 + sign as usize;
                end = j;
            } else {
                break;
            }
        }
        self.emit(Kind::Number, end);
    }

    /// `<<EOT` or `<<-EOT` right before a newline opens a heredoc.
    fn heredoc_opener(&mut self, p: usize) -> bool {
        let mut j = p + 2;
        if self.at(j) == '-' {
            j += 1;
        }
        let name = j;
        if !ident_start(self.at(j)) {
            return false;
        }
        while ident_continue(self.at(j)) && j < self.c.len() {
            j += 1;
        }
        let nl = self.newline(j);
        if nl == 0 {
            return false;
        }
        let marker = self.c[name..j].iter().collect();
        self.emit(Kind::OHeredoc, j + nl);
        self.heredocs.push(Heredoc {
            marker,
            start_of_line: true,
        });
        self.modes.push(Mode::Heredoc);
        true
    }

    /// `${`/`%{` (optionally with `~`) enters an expression that ends at its `}`.
    fn template_sequence(&mut self) -> bool {
        let p = self.p;
        let kind = match (self.at(p), self.at(p + 1)) {
            ('$', '{') => Kind::Interp,
            ('%', '{') => Kind::Control,
            _ => return false,
        };
        let len = if self.at(p + 2) == '~' { 3 } else { 2 };
        self.emit(kind, p + len);
        self.braces += 1;
        self.ret_braces.push(self.braces);
        if let Some(h) = self.heredocs.last_mut() {
            h.start_of_line = false;
        }
        self.modes.push(Mode::Main);
        true
    }

    /// Literal template text from `p` up to a template sequence or one of `stops`;
    /// `$${` and `%%{` are escapes, and in quoted strings so is a backslash pair.
    fn literal_end(&self, p: usize, quoted: bool) -> usize {
        let mut j = p;
        while j < self.c.len() {
            let ch = self.c[j];
            match ch {
                '\\' if quoted && !matches!(self.at(j + 1), '\n' | '\r') => j += 2,
                '"' | '\r' if quoted => return j,
                '\n' => return if quoted { j } else { j + 1 },
                '$' | '%' if self.at(j + 1) == '{' => return j,
                '$' | '%' if self.at(j + 1) == ch && self.at(j + 2) == '{' => j += 3,
                _ => j += 1,
            }
        }
        self.c.len()
    }

    fn quoted(&mut self) {
        let p = self.p;
        if self.template_sequence() {
            return;
        }
        if self.at(p) == '"' {
            self.emit(Kind::CQuote, p + 1);
            self.modes.pop();
        } else if matches!(self.at(p), '\n' | '\r') {
            let end = (p..self.c.len())
                .find(|&j| !matches!(self.c[j], '\n' | '\r'))
                .unwrap_or(self.c.len());
            self.emit(Kind::Other, end);
        } else {
            let end = self.literal_end(p, true);
            self.emit(Kind::QuotedLit, end);
        }
    }

    /// Heredoc text line by line; a whole line that is the marker (trimmed) closes it.
    fn heredoc(&mut self) {
        let p = self.p;
        if self.template_sequence() {
            return;
        }
        let end = self.literal_end(p, false);
        let at_eol = end > p && self.at(end - 1) == '\n';
        let line: String = self.c[p..end].iter().collect();
        let closes = at_eol
            && self
                .heredocs
                .last()
                .is_some_and(|h| h.start_of_line && line.trim() == h.marker);
        if closes {
            let nl = if line.ends_with("\r\n") { 2 } else { 1 };
            self.heredocs.pop();
            self.modes.pop();
            self.emit(Kind::CHeredoc, end - nl);
            self.emit(Kind::Newline, end);
            return;
        }
        if let Some(h) = self.heredocs.last_mut() {
            h.start_of_line = at_eol;
        }
        self.emit(Kind::StringLit, end);
    }
}
