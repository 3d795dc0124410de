//! What [`plan`](super::plan) decides and the emitters write out: the
//! [`PatternPlan`] of a pattern, and the plain data of the code it becomes
//! ([`Matcher`]: byte-class [`Steps`] or a [`Dfa`]). Below the planner
//! (`mod.rs`, `dfa.rs`) and the emitters (`emit.rs`, `emit_dfa.rs`).

/// How one OpenAPI pattern is enforced in generated code.
#[derive(Debug, Clone, PartialEq)]
pub enum PatternPlan {
    /// Compiled to straight Rust code (no regex engine at run time).
    Code(Matcher),
    /// Needs a regex engine; the `regex` crate agrees with ECMA-262 semantics for it.
    /// The field is the source for `regex::Regex::new`, translated to Rust syntax.
    Regex(String),
    /// Needs an ECMA-262 engine (look-around, backreferences): the `regress` crate.
    /// The field is the source for `regress::Regex::new` (no flags).
    Regress(String),
    /// Not usable as a regular expression; not enforced.
    Invalid {
        /// Human-readable reason.
        reason: String,
    },
}

/// An optional run-time dependency of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Engine {
    /// The `regex` crate.
    Regex,
    /// The `regress` crate.
    Regress,
}

impl PatternPlan {
    /// The regex engine generated code needs for this plan, if any.
    pub fn engine(&self) -> Option<Engine> {
        match self {
            PatternPlan::Regex(_) => Some(Engine::Regex),
            PatternPlan::Regress(_) => Some(Engine::Regress),
            PatternPlan::Code(_) | PatternPlan::Invalid { .. } => None,
        }
    }
}

/// Plain-data description of the code emitted for a [`PatternPlan::Code`].
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// The pattern matches every string (e.g. an empty pattern or `a*`).
    Always,
    /// `^` followed by steps over ASCII bytes, each consumed greedily; greedy is exact
    /// because each repeated class is disjoint from whatever may follow it.
    Steps(Steps),
    /// A search DFA over characters (or bytes when every class is ASCII).
    Dfa(Dfa),
}

/// See [`Matcher::Steps`].
#[derive(Debug, Clone, PartialEq)]
pub struct Steps {
    /// The steps after `^`, in order.
    pub steps: Vec<Step>,
    /// Whether the pattern ends in `$` (otherwise any rest is accepted).
    pub end_anchored: bool,
}

/// One step of a [`Steps`] matcher.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// These exact bytes (ASCII).
    Literal(Vec<u8>),
    /// Between `min` and `max` (unbounded if `None`) bytes of the class, greedily.
    Class {
        /// Inclusive byte ranges, sorted and disjoint, all ASCII.
        set: Vec<(u8, u8)>,
        /// Fewest repetitions.
        min: u32,
        /// Most repetitions, `None` for unbounded.
        max: Option<u32>,
    },
}

/// See [`Matcher::Dfa`]. State 0 is the initial state.
#[derive(Debug, Clone, PartialEq)]
pub struct Dfa {
    /// The states.
    pub states: Vec<DfaState>,
    /// Every class is ASCII, so the input can be scanned as bytes.
    pub bytes: bool,
}

/// One DFA state.
#[derive(Debug, Clone, PartialEq)]
pub struct DfaState {
    /// Character ranges (sorted, disjoint) and where they lead.
    pub arms: Vec<(Vec<(char, char)>, Target)>,
    /// Where every other character leads.
    pub otherwise: Target,
    /// Whether the input matches if it ends in this state.
    pub accept_at_end: bool,
}

/// A DFA transition target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// No match is possible any more.
    Reject,
    /// A match was found; the rest of the input does not matter.
    Accept,
    /// Continue in this state.
    State(usize),
}
