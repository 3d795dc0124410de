//! A parser for the ECMA-262 regular expression grammar without flags
//! (not unicode mode, Annex B "web compatibility" extensions included), producing a
//! small syntax tree that only keeps what decides *whether* a string matches.
//!
//! Everything the tree cannot express (look-around, backreferences, legacy octal
//! escapes, lone surrogates) is reported as [`ParseError::NeedsEcma`] so that the caller
//! can hand the pattern to a real ECMA-262 engine instead of guessing.

use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

/// Whether `\p{..}` / `\P{..}` are read as Unicode property escapes.
///
/// Strict ECMA-262 without the `u` flag reads `\p{L}` as the four characters `p{L}`,
/// which is never what a spec author means (the Atlas server, written in Java, reads it
/// as "any letter"). We follow the evident intent; everything else stays non-unicode.
pub(crate) const UNICODE_PROPERTY_ESCAPES: bool = true;

/// Syntax tree of a pattern; captures are dropped, only the language matters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// Matches the empty string.
    Empty,
    /// One character out of the set.
    Set(ClassUnicode),
    /// `^` (start of input: no multiline flag).
    Start,
    /// `$` (end of input: no multiline flag, no final-newline allowance).
    End,
    /// `\b` (true) or `\B` (false), ASCII word characters.
    WordBoundary(bool),
    /// Sequence.
    Concat(Vec<Node>),
    /// Alternation.
    Alt(Vec<Node>),
    /// Counted repetition (greedy and lazy are equivalent for a yes/no answer).
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

/// Why a pattern could not be turned into a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ParseError {
    /// Not a valid ECMA-262 pattern.
    Syntax(String),
    /// Valid (probably) but uses features only an ECMA-262 engine provides.
    NeedsEcma(String),
}

/// Result of a successful parse.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parsed {
    pub node: Node,
    /// A `\p{..}` property escape was read as such (see [`UNICODE_PROPERTY_ESCAPES`]).
    pub uses_properties: bool,
}

pub(crate) fn parse(pattern: &str) -> Result<Parsed, ParseError> {
    let chars: Vec<char> = pattern.chars().collect();
    let (group_count, has_named_groups) = scan_groups(&chars);
    let mut p = Parser {
        chars,
        pos: 0,
        group_count,
        has_named_groups,
        uses_properties: false,
        names: Vec::new(),
    };
    let node = p.disjunction()?;
    if p.pos < p.chars.len() {
        // Only an unmatched `)` stops a top-level disjunction early.
        return Err(ParseError::Syntax(format!(
            "unmatched `)` at offset {}",
            p.pos
        )));
    }
    Ok(Parsed {
        node,
        uses_properties: p.uses_properties,
    })
}

/// Counts capturing groups and notes named groups, as ECMA does before parsing.
fn scan_groups(chars: &[char]) -> (u32, bool) {
    let mut count = 0;
    let mut named = false;
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' => in_class = true,
            ']' => in_class = false,
            '(' if !in_class => {
                if chars.get(i + 1) != Some(&'?') {
                    count += 1;
                } else if chars.get(i + 2) == Some(&'<')
                    && !matches!(chars.get(i + 3), Some('=' | '!'))
                {
                    count += 1;
                    named = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    (count, named)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    group_count: u32,
    has_named_groups: bool,
    uses_properties: bool,
    names: Vec<String>,
}

/// One element inside `[...]`.
enum ClassAtom {
    Char(char),
    Set(ClassUnicode),
}

fn syntax<T>(msg: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError::Syntax(msg.into()))
}

fn needs_ecma<T>(msg: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError::NeedsEcma(msg.into()))
}

pub(crate) fn class_of(ranges: &[(char, char)]) -> ClassUnicode {
    ClassUnicode::new(ranges.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)))
}

fn single(c: char) -> ClassUnicode {
    class_of(&[(c, c)])
}

fn negated(mut class: ClassUnicode) -> ClassUnicode {
    class.negate();
    class
}

/// `\d`
pub(crate) fn digit_class() -> ClassUnicode {
    class_of(&[('0', '9')])
}

/// `\w`
pub(crate) fn word_class() -> ClassUnicode {
    class_of(&[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')])
}

/// `\s`: ECMA WhiteSpace and LineTerminator.
pub(crate) fn space_class() -> ClassUnicode {
    class_of(&[
        ('\t', '\r'),
        (' ', ' '),
        ('\u{a0}', '\u{a0}'),
        ('\u{1680}', '\u{1680}'),
        ('\u{2000}', '\u{200a}'),
        ('\u{2028}', '\u{2029}'),
        ('\u{202f}', '\u{202f}'),
        ('\u{205f}', '\u{205f}'),
        ('\u{3000}', '\u{3000}'),
        ('\u{feff}', '\u{feff}'),
    ])
}

/// `.`: anything but a line terminator.
pub(crate) fn dot_class() -> ClassUnicode {
    negated(class_of(&[
        ('\n', '\n'),
        ('\r', '\r'),
        ('\u{2028}', '\u{2029}'),
    ]))
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn disjunction(&mut self) -> Result<Node, ParseError> {
        let mut alts = vec![self.alternative()?];
        while self.eat('|') {
            alts.push(self.alternative()?);
        }
        Ok(if alts.len() == 1 {
            alts.remove(0)
        } else {
            Node::Alt(alts)
        })
    }

    fn alternative(&mut self) -> Result<Node, ParseError> {
        let mut terms = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            terms.push(self.term()?);
        }
        Ok(match terms.len() {
            0 => Node::Empty,
            1 => terms.remove(0),
            _ => Node::Concat(terms),
        })
    }

    fn term(&mut self) -> Result<Node, ParseError> {
        let Some(c) = self.peek() else {
            return syntax("unexpected end of pattern");
        };
        // Assertions: not quantifiable.
        let assertion = match c {
            '^' => Some(Node::Start),
            '$' => Some(Node::End),
            '\\' if self.peek_at(1) == Some('b') => Some(Node::WordBoundary(true)),
            '\\' if self.peek_at(1) == Some('B') => Some(Node::WordBoundary(false)),
            _ => None,
        };
        if let Some(node) = assertion {
            self.pos += if c == '\\' { 2 } else { 1 };
            if self.quantifier_ahead() {
                return syntax(format!("nothing to repeat at offset {}", self.pos));
            }
            return Ok(node);
        }
        let atom = self.atom()?;
        self.quantified(atom)
    }

    /// Is a quantifier (`*`, `+`, `?` or a well-formed `{n}`, `{n,}`, `{n,m}`) next?
    fn quantifier_ahead(&self) -> bool {
        match self.peek() {
            Some('*' | '+' | '?') => true,
            Some('{') => self.braces_ahead().is_some(),
            _ => false,
        }
    }

    /// Reads a well-formed `{n}`, `{n,}` or `{n,m}` at the cursor without consuming it:
    /// (min, max, length in chars). Annex B: anything else is a literal `{`.
    fn braces_ahead(&self) -> Option<(u64, Option<u64>, usize)> {
        let mut i = self.pos + 1;
        let number = |i: &mut usize| -> Option<u64> {
            let start = *i;
            let mut value: u64 = 0;
            while let Some(d) = self.chars.get(*i).and_then(|c| c.to_digit(10)) {
                value = value.saturating_mul(10).saturating_add(u64::from(d));
                *i += 1;
            }
            (*i > start).then_some(value)
        };
        let min = number(&mut i)?;
        let max = if self.chars.get(i) == Some(&',') {
            i += 1;
            if self.chars.get(i) == Some(&'}') {
                None
            } else {
                Some(number(&mut i)?)
            }
        } else {
            Some(min)
        };
        (self.chars.get(i) == Some(&'}')).then_some((min, max, i + 1 - self.pos))
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, ParseError> {
        let (min, max) = match self.peek() {
            Some('*') => {
                self.pos += 1;
                (0, None)
            }
            Some('+') => {
                self.pos += 1;
                (1, None)
            }
            Some('?') => {
                self.pos += 1;
                (0, Some(1))
            }
            Some('{') => match self.braces_ahead() {
                Some((min, max, len)) => {
                    self.pos += len;
                    if max.is_some_and(|max| max < min) {
                        return syntax("numbers out of order in {} quantifier");
                    }
                    (min, max)
                }
                None => return Ok(atom),
            },
            _ => return Ok(atom),
        };
        // Lazy and greedy accept the same strings.
        self.eat('?');
        let too_big = |n: u64| n > 100_000;
        if too_big(min) || max.is_some_and(too_big) {
            return needs_ecma("repetition count too large to expand");
        }
        // Bounded by the check above.
        let min = u32::try_from(min).unwrap_or(u32::MAX);
        let max = max.map(|m| u32::try_from(m).unwrap_or(u32::MAX));
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn atom(&mut self) -> Result<Node, ParseError> {
        let Some(c) = self.peek() else {
            return syntax("unexpected end of pattern");
        };
        match c {
            '*' | '+' | '?' => syntax(format!("nothing to repeat at offset {}", self.pos)),
            '{' if self.braces_ahead().is_some() => {
                syntax(format!("nothing to repeat at offset {}", self.pos))
            }
            '(' => self.group(),
            '[' => self.class(),
            '.' => {
                self.pos += 1;
                Ok(Node::Set(dot_class()))
            }
            '\\' => {
                self.pos += 1;
                self.atom_escape()
            }
            _ => {
                // Includes Annex B's lone `{`, `}` and `]`.
                self.pos += 1;
                Ok(Node::Set(single(c)))
            }
        }
    }

    fn group(&mut self) -> Result<Node, ParseError> {
        // At `(`.
        self.pos += 1;
        if self.eat('?') {
            match self.peek() {
                Some(':') => self.pos += 1,
                Some('=' | '!') => return needs_ecma("look-ahead"),
                Some('<') if matches!(self.peek_at(1), Some('=' | '!')) => {
                    return needs_ecma("look-behind")
                }
                Some('<') => {
                    self.pos += 1;
                    let name = self.group_name()?;
                    if self.names.contains(&name) {
                        return needs_ecma("duplicate group name");
                    }
                    self.names.push(name);
                }
                _ => return syntax("invalid group"),
            }
        }
        let inner = self.disjunction()?;
        if !self.eat(')') {
            return syntax("unterminated group");
        }
        Ok(inner)
    }

    fn group_name(&mut self) -> Result<String, ParseError> {
        let mut name = String::new();
        loop {
            match self.peek() {
                Some('>') => {
                    self.pos += 1;
                    break;
                }
                Some(c) if c.is_ascii_alphanumeric() || c == '_' || c == '$' => {
                    if name.is_empty() && c.is_ascii_digit() {
                        return syntax("invalid group name");
                    }
                    name.push(c);
                    self.pos += 1;
                }
                Some('\\') => return needs_ecma("escape in group name"),
                Some(c) if !c.is_ascii() => return needs_ecma("non-ASCII group name"),
                _ => return syntax("invalid group name"),
            }
        }
        if name.is_empty() {
            return syntax("empty group name");
        }
        Ok(name)
    }

    /// After a `\` outside a class.
    fn atom_escape(&mut self) -> Result<Node, ParseError> {
        let Some(c) = self.peek() else {
            return syntax("`\\` at end of pattern");
        };
        match c {
            '1'..='9' => {
                let start = self.pos;
                let mut n: u64 = 0;
                while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
                    n = n.saturating_mul(10).saturating_add(u64::from(d));
                    self.pos += 1;
                }
                if n <= u64::from(self.group_count) {
                    needs_ecma("backreference")
                } else {
                    self.pos = start;
                    needs_ecma("legacy octal or identity escape of a digit")
                }
            }
            'k' if self.has_named_groups => needs_ecma("named backreference"),
            _ => match self.character_escape(false)? {
                ClassAtom::Char(c) => Ok(Node::Set(single(c))),
                ClassAtom::Set(set) => Ok(Node::Set(set)),
            },
        }
    }

    /// An escape after `\` (cursor on the character after it), common to atoms and
    /// classes; decimal escapes other than `\0` are handled by the callers.
    fn character_escape(&mut self, in_class: bool) -> Result<ClassAtom, ParseError> {
        let Some(c) = self.peek() else {
            return syntax("`\\` at end of pattern");
        };
        self.pos += 1;
        let ch = |c: char| Ok(ClassAtom::Char(c));
        match c {
            'd' => Ok(ClassAtom::Set(digit_class())),
            'D' => Ok(ClassAtom::Set(negated(digit_class()))),
            'w' => Ok(ClassAtom::Set(word_class())),
            'W' => Ok(ClassAtom::Set(negated(word_class()))),
            's' => Ok(ClassAtom::Set(space_class())),
            'S' => Ok(ClassAtom::Set(negated(space_class()))),
            'p' | 'P' if UNICODE_PROPERTY_ESCAPES && self.peek() == Some('{') => {
                let set = self.property()?;
                Ok(ClassAtom::Set(if c == 'P' { negated(set) } else { set }))
            }
            'f' => ch('\u{c}'),
            'n' => ch('\n'),
            'r' => ch('\r'),
            't' => ch('\t'),
            'v' => ch('\u{b}'),
            'b' if in_class => ch('\u{8}'),
            'c' => match self.peek() {
                Some(l)
                    if l.is_ascii_alphabetic()
                        || (in_class && (l.is_ascii_digit() || l == '_')) =>
                {
                    self.pos += 1;
                    ch(char::from((l as u8) % 32))
                }
                // Annex B: a literal backslash; the `c` is read again as itself.
                _ => {
                    self.pos -= 1;
                    ch('\\')
                }
            },
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => ch('\0'),
            '0'..='9' => needs_ecma("legacy octal escape"),
            'x' => match self.hex(2) {
                Some(v) => self.code_unit(v),
                None => ch('x'),
            },
            'u' => {
                if self.peek() == Some('{') && self.uses_properties {
                    return needs_ecma("`\\u{..}` escape");
                }
                match self.hex(4) {
                    Some(v) => self.code_unit(v),
                    None => ch('u'),
                }
            }
            'k' if self.has_named_groups => needs_ecma("`\\k` with named groups"),
            // Annex B identity escape (includes `\-`, `\/`, `\:`, `\{`, and letters).
            other => ch(other),
        }
    }

    fn code_unit(&self, v: u32) -> Result<ClassAtom, ParseError> {
        match char::from_u32(v) {
            Some(c) => Ok(ClassAtom::Char(c)),
            None => needs_ecma("surrogate code unit escape"),
        }
    }

    fn hex(&mut self, digits: usize) -> Option<u32> {
        let mut v = 0;
        for i in 0..digits {
            v = v * 16 + self.peek_at(i)?.to_digit(16)?;
        }
        self.pos += digits;
        Some(v)
    }

    /// `{Name}` after `\p`, resolved with regex-syntax's Unicode tables.
    fn property(&mut self) -> Result<ClassUnicode, ParseError> {
        // At `{`.
        let mut name = String::new();
        self.pos += 1;
        loop {
            match self.peek() {
                Some('}') => {
                    self.pos += 1;
                    break;
                }
                Some(c) if c.is_ascii_alphanumeric() || c == '_' || c == '=' => {
                    name.push(c);
                    self.pos += 1;
                }
                _ => return syntax("invalid Unicode property escape"),
            }
        }
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(&format!("\\p{{{name}}}"))
            .map_err(|e| ParseError::Syntax(format!("unknown Unicode property `{name}`: {e}")))?;
        match hir.kind() {
            regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class)) => {
                self.uses_properties = true;
                Ok(class.clone())
            }
            _ => syntax(format!("unsupported Unicode property `{name}`")),
        }
    }

    fn class(&mut self) -> Result<Node, ParseError> {
        // At `[`.
        self.pos += 1;
        let negate = self.eat('^');
        let mut set = ClassUnicode::empty();
        loop {
            match self.peek() {
                None => return syntax("unterminated character class"),
                Some(']') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => {}
            }
            let first = self.class_atom()?;
            if self.peek() == Some('-') && !matches!(self.peek_at(1), Some(']') | None) {
                self.pos += 1;
                let second = self.class_atom()?;
                match (first, second) {
                    (ClassAtom::Char(a), ClassAtom::Char(b)) => {
                        if a > b {
                            return syntax("range out of order in character class");
                        }
                        set.union(&class_of(&[(a, b)]));
                    }
                    // Annex B: a class escape on either side makes `-` a literal.
                    (a, b) => {
                        for atom in [a, ClassAtom::Char('-'), b] {
                            set.union(&atom_set(atom));
                        }
                    }
                }
            } else {
                set.union(&atom_set(first));
            }
        }
        Ok(Node::Set(if negate { negated(set) } else { set }))
    }

    fn class_atom(&mut self) -> Result<ClassAtom, ParseError> {
        match self.peek() {
            None => syntax("unterminated character class"),
            Some('\\') => {
                self.pos += 1;
                match self.peek() {
                    Some('-') => {
                        self.pos += 1;
                        Ok(ClassAtom::Char('-'))
                    }
                    _ => self.character_escape(true),
                }
            }
            Some(c) => {
                self.pos += 1;
                Ok(ClassAtom::Char(c))
            }
        }
    }
}

fn atom_set(atom: ClassAtom) -> ClassUnicode {
    match atom {
        ClassAtom::Char(c) => single(c),
        ClassAtom::Set(s) => s,
    }
}
