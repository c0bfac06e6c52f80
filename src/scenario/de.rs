//! A serde `Deserializer` over the positioned YAML tree of `node.rs`.
//!
//! It feeds the raw structs of `raw.rs` and gives every error the position
//! and path of the node it is about: errors raised inside a field's own
//! parser (a duration, a rate) are located at that field's node as they
//! pass back through the list or mapping that holds it. It decides YAML's
//! scalar types itself (YAML 1.2 core schema), refuses NaN and infinity
//! wherever a number goes, and never recurses deeper than the raw structs
//! do, so no input can exhaust the stack.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, EnumAccess, Expected, IgnoredAny, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

use super::node::{shorten, Entry, Kind, Node, Path, Pos, Tag};

/// A deserialization error, located once it has passed its node.
#[derive(Debug)]
pub struct DeError {
    pub pos: Option<Pos>,
    pub path: Path,
    pub message: String,
    pending: Pending,
}

#[derive(Debug)]
enum Pending {
    None,
    Missing(&'static str),
    UnknownValue(String, &'static [&'static str]),
}

impl DeError {
    fn at(pos: Pos, path: &Path, message: String) -> DeError {
        DeError {
            pos: Some(pos),
            path: path.clone(),
            message,
            pending: Pending::None,
        }
    }

    /// Gives an error that has no position yet the node's position and path.
    fn locate(mut self, pos: Pos, path: &Path) -> DeError {
        if self.pos.is_some() {
            return self;
        }
        self.pos = Some(pos);
        self.path = path.clone();
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::None => {}
            Pending::Missing(field) => {
                self.path = path.child(field);
                self.message = "missing; this field is required".to_string();
            }
            Pending::UnknownValue(value, allowed) => {
                self.message = unknown("value", &value, allowed, "values are");
            }
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            pos: None,
            path: Path::default(),
            message: msg.to_string(),
            pending: Pending::None,
        }
    }

    fn invalid_type(unexp: Unexpected, exp: &dyn Expected) -> Self {
        Self::custom(format!(
            "expected {exp}, found {}",
            describe_unexpected(&unexp)
        ))
    }

    fn invalid_value(unexp: Unexpected, exp: &dyn Expected) -> Self {
        Self::custom(format!(
            "invalid value {}; expected {exp}",
            describe_unexpected(&unexp)
        ))
    }

    fn invalid_length(len: usize, exp: &dyn Expected) -> Self {
        Self::custom(format!("{len} items; expected {exp}"))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let mut e = Self::custom(String::new());
        e.pending = Pending::UnknownValue(variant.to_string(), expected);
        e
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::custom(unknown("field", field, expected, "fields here are"))
    }

    fn missing_field(field: &'static str) -> Self {
        let mut e = Self::custom(format!("missing field {field}"));
        e.pending = Pending::Missing(field);
        e
    }

    fn duplicate_field(field: &'static str) -> Self {
        Self::custom(format!("'{field}' is given twice"))
    }
}

fn describe_unexpected(u: &Unexpected) -> String {
    match u {
        Unexpected::Bool(b) => format!("'{b}'"),
        Unexpected::Unsigned(n) => format!("'{n}'"),
        Unexpected::Signed(n) => format!("'{n}'"),
        Unexpected::Float(x) => format!("'{x}'"),
        Unexpected::Char(c) => format!("'{c}'"),
        Unexpected::Str(s) => format!("'{}'", shorten(s)),
        Unexpected::Unit => "nothing (null)".to_string(),
        Unexpected::Seq => "a list".to_string(),
        Unexpected::Map => "a mapping".to_string(),
        other => other.to_string(),
    }
}

/// `unknown field 'x'; did you mean 'y'? fields here are a, b`.
pub fn unknown(what: &str, given: &str, allowed: &[&str], intro: &str) -> String {
    let mut msg = format!("unknown {what} '{}'; ", shorten(given));
    if let Some(close) = did_you_mean(given, allowed) {
        msg.push_str(&format!("did you mean '{close}'? "));
    }
    if allowed.is_empty() {
        msg.push_str("nothing is allowed here");
    } else {
        msg.push_str(&format!("{intro} {}", allowed.join(", ")));
    }
    msg
}

/// The allowed name closest to `given`, if it is close enough to be a typo
/// (a few edits away, or one name a prefix of the other).
pub fn did_you_mean<'a>(given: &str, allowed: &[&'a str]) -> Option<&'a str> {
    if given.chars().count() > 100 {
        return None;
    }
    let given_lower = given.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for cand in allowed {
        let cand_lower = cand.to_lowercase();
        let prefix = given_lower.chars().count() >= 3
            && (cand_lower.starts_with(&given_lower) || given_lower.starts_with(&cand_lower));
        let d = if prefix {
            1
        } else {
            edit_distance(&given_lower, &cand_lower)
        };
        let limit = (cand.chars().count() / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance in characters, counting a swap of two neighbours as one
/// edit (optimal string alignment).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// Deserializes one node.
pub struct De<'a> {
    node: &'a Node,
    path: Path,
}

impl<'a> De<'a> {
    pub fn new(node: &'a Node, path: Path) -> De<'a> {
        De { node, path }
    }

    fn fail<T>(&self, message: String) -> Result<T, DeError> {
        Err(DeError::at(self.node.pos, &self.path, message))
    }

    fn wrong(&self, exp: &dyn Expected) -> DeError {
        DeError::at(
            self.node.pos,
            &self.path,
            format!("expected {exp}, found {}", self.node.describe()),
        )
    }

    /// Refuses a scalar whose tag is not one of `allowed`: the field takes
    /// `what`.
    fn tagged(&self, allowed: &[Tag], what: &str) -> Result<(), DeError> {
        match &self.node.kind {
            Kind::Scalar { tag: Some(t), .. } if !allowed.contains(t) => {
                self.fail(format!("tagged {}, but this field takes {what}", t.name()))
            }
            _ => Ok(()),
        }
    }

    /// The text of a scalar that is not null.
    fn text(&self) -> Option<&'a str> {
        match &self.node.kind {
            Kind::Scalar { text, .. } if !self.node.is_null() => Some(text.as_str()),
            _ => None,
        }
    }

    fn whole(&self, min: i128, max: i128) -> Result<i128, DeError> {
        self.tagged(&[Tag::Int], "a whole number")?;
        let Some(text) = self.text() else {
            return Err(self.wrong(&"a whole number"));
        };
        let t = text.trim();
        let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return self.fail(format!(
                "expected a whole number, found '{}'",
                shorten(text)
            ));
        }
        match t.parse::<i128>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => self.fail(format!(
                "'{}' is out of range; a whole number from {min} to {max}",
                shorten(text)
            )),
        }
    }

    fn float(&self) -> Result<f64, DeError> {
        self.tagged(&[Tag::Int, Tag::Float], "a number")?;
        let Some(text) = self.text() else {
            return Err(self.wrong(&"a number"));
        };
        parse_float(text).map_err(|m| DeError::at(self.node.pos, &self.path, m))
    }

    fn attach<T>(&self, r: Result<T, DeError>) -> Result<T, DeError> {
        r.map_err(|e| e.locate(self.node.pos, &self.path))
    }
}

/// A finite number from YAML text; NaN and infinity are refused.
pub fn parse_float(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let bare = lower.trim_start_matches(['+', '-']);
    if matches!(bare, ".inf" | "inf" | "infinity" | ".nan" | "nan") {
        return Err(format!(
            "'{}' is not a finite number; NaN and infinity are not allowed",
            shorten(text)
        ));
    }
    let looks_numeric = t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    match t.parse::<f64>() {
        Ok(v) if looks_numeric && v.is_finite() => Ok(v),
        Ok(_) if looks_numeric => Err(format!(
            "'{}' is too large; numbers must be finite",
            shorten(text)
        )),
        _ => Err(format!("expected a number, found '{}'", shorten(text))),
    }
}

macro_rules! whole {
    ($name:ident, $visit:ident, $t:ty) => {
        fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let n = self.whole(<$t>::MIN as i128, <$t>::MAX as i128)?;
            self.attach(visitor.$visit(n as $t))
        }
    };
}

impl<'de> de::Deserializer<'de> for De<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.kind {
            _ if self.node.is_null() => visitor.visit_unit(),
            Kind::Scalar {
                text, plain: true, ..
            } => {
                let t = text.as_str();
                if matches!(t, "true" | "True" | "TRUE") {
                    visitor.visit_bool(true)
                } else if matches!(t, "false" | "False" | "FALSE") {
                    visitor.visit_bool(false)
                } else if let Ok(n) = t.parse::<u64>() {
                    visitor.visit_u64(n)
                } else if let Ok(n) = t.parse::<i64>() {
                    visitor.visit_i64(n)
                } else if t.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c)) {
                    match parse_float(t) {
                        Ok(v) => visitor.visit_f64(v),
                        Err(_) => visitor.visit_str(t),
                    }
                } else {
                    visitor.visit_str(t)
                }
            }
            Kind::Scalar { text, .. } => visitor.visit_str(text),
            Kind::Seq(items) => visitor.visit_seq(Seq {
                items,
                next: 0,
                path: &self.path,
            }),
            Kind::Map(entries) => visitor.visit_map(Map {
                entries,
                next: 0,
                path: &self.path,
            }),
        };
        self.attach(r)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.tagged(&[Tag::Bool], "true or false")?;
        match self.text() {
            Some("true" | "True" | "TRUE") => self.attach(visitor.visit_bool(true)),
            Some("false" | "False" | "FALSE") => self.attach(visitor.visit_bool(false)),
            _ => Err(self.wrong(&"true or false")),
        }
    }

    whole!(deserialize_i8, visit_i8, i8);
    whole!(deserialize_i16, visit_i16, i16);
    whole!(deserialize_i32, visit_i32, i32);
    whole!(deserialize_i64, visit_i64, i64);
    whole!(deserialize_u8, visit_u8, u8);
    whole!(deserialize_u16, visit_u16, u16);
    whole!(deserialize_u32, visit_u32, u32);
    whole!(deserialize_u64, visit_u64, u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let v = self.float()?;
        self.attach(visitor.visit_f64(v))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.tagged(&[Tag::Str], "text")?;
        match self.text() {
            Some(t) => self.attach(visitor.visit_str(t)),
            None => Err(self.wrong(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        Err(self.wrong(&visitor))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        Err(self.wrong(&visitor))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            self.attach(visitor.visit_none())
        } else {
            let (pos, path) = (self.node.pos, self.path.clone());
            visitor.visit_some(self).map_err(|e| e.locate(pos, &path))
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            self.attach(visitor.visit_unit())
        } else {
            Err(self.wrong(&"nothing (null)"))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let (pos, path) = (self.node.pos, self.path.clone());
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| e.locate(pos, &path))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            Kind::Seq(items) => self.attach(visitor.visit_seq(Seq {
                items,
                next: 0,
                path: &self.path,
            })),
            _ => Err(self.wrong(&"a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.kind {
            Kind::Map(entries) => self.attach(visitor.visit_map(Map {
                entries,
                next: 0,
                path: &self.path,
            })),
            _ => Err(self.wrong(&"a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.kind {
            Kind::Map(_) => self.deserialize_map(visitor),
            _ => Err(self.wrong(&format!("a mapping with fields {}", fields.join(", ")).as_str())),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if matches!(&self.node.kind, Kind::Scalar { .. }) {
            self.tagged(&[Tag::Str], &format!("one of {}", variants.join(", ")))?;
        }
        match self.text() {
            Some(text) => self.attach(visitor.visit_enum(Unit {
                text,
                pos: self.node.pos,
                path: &self.path,
            })),
            None => Err(self.wrong(&format!("one of {}", variants.join(", ")).as_str())),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct Seq<'a> {
    items: &'a [Node],
    next: usize,
    path: &'a Path,
}

impl<'de> SeqAccess<'de> for Seq<'_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.get(self.next) else {
            return Ok(None);
        };
        let path = self.path.child(self.next);
        self.next += 1;
        seed.deserialize(De::new(node, path.clone()))
            .map(Some)
            .map_err(|e| e.locate(node.pos, &path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

struct Map<'a> {
    entries: &'a [Entry],
    next: usize,
    path: &'a Path,
}

impl<'de> MapAccess<'de> for Map<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(entry) = self.entries.get(self.next) else {
            return Ok(None);
        };
        let path = self.path.child(&entry.key);
        seed.deserialize(Key {
            text: &entry.key,
            pos: entry.key_pos,
            path: &path,
        })
        .map(Some)
        .map_err(|e| e.locate(entry.key_pos, &path))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some(entry) = self.entries.get(self.next) else {
            return Err(de::Error::custom("a key without a value"));
        };
        self.next += 1;
        let path = self.path.child(&entry.key);
        seed.deserialize(De::new(&entry.value, path.clone()))
            .map_err(|e| e.locate(entry.value.pos, &path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() - self.next)
    }
}

/// A mapping key, or the name of a unit enum variant: always a string.
struct Key<'a> {
    text: &'a str,
    pos: Pos,
    path: &'a Path,
}

impl<'de> de::Deserializer<'de> for Key<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor
            .visit_str(self.text)
            .map_err(|e: DeError| e.locate(self.pos, self.path))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier
    }
}

struct Unit<'a> {
    text: &'a str,
    pos: Pos,
    path: &'a Path,
}

impl<'de, 'a> EnumAccess<'de> for Unit<'a> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let v = seed
            .deserialize(Key {
                text: self.text,
                pos: self.pos,
                path: self.path,
            })
            .map_err(|e| e.locate(self.pos, self.path))?;
        Ok((v, self))
    }
}

impl<'de> VariantAccess<'de> for Unit<'_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value, DeError> {
        Err(self.needs_value())
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _v: V) -> Result<V::Value, DeError> {
        Err(self.needs_value())
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _v: V,
    ) -> Result<V::Value, DeError> {
        Err(self.needs_value())
    }
}

impl Unit<'_> {
    fn needs_value(&self) -> DeError {
        DeError::at(
            self.pos,
            self.path,
            format!("'{}' needs a value", shorten(self.text)),
        )
    }
}

/// Reads the kind key of a one-key mapping such as `{ zipf: 1.1 }` or
/// `partition: {...}`; an unknown kind is reported at the key.
pub struct KindSeed {
    pub what: &'static str,
    pub kinds: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for KindSeed {
    type Value = &'static str;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        let given: String = serde::Deserialize::deserialize(d)?;
        match self.kinds.iter().find(|k| **k == given) {
            Some(k) => Ok(k),
            None => Err(de::Error::custom(unknown(
                self.what,
                &given,
                self.kinds,
                "kinds are",
            ))),
        }
    }
}

/// The kind of a one-key mapping, read from its key.
pub fn one_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    what: &'static str,
    kinds: &'static [&'static str],
) -> Result<&'static str, A::Error> {
    match map.next_key_seed(KindSeed { what, kinds })? {
        Some(k) => Ok(k),
        None => Err(de::Error::custom(format!(
            "empty mapping; expected one key naming the {what}: {}",
            kinds.join(", ")
        ))),
    }
}

/// Checks that a one-key mapping has no second key.
pub fn end_one_key<'de, A: MapAccess<'de>>(map: &mut A, what: &str) -> Result<(), A::Error> {
    match map.next_key::<IgnoredAny>()? {
        None => Ok(()),
        Some(_) => Err(de::Error::custom(format!(
            "more than one key; a {what} is a mapping with exactly one key naming its kind"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_only() {
        let allowed = ["offset", "drift_ppm"];
        assert_eq!(did_you_mean("drift_pm", &allowed), Some("drift_ppm"));
        assert_eq!(did_you_mean("ofset", &allowed), Some("offset"));
        assert_eq!(did_you_mean("colour", &allowed), None);
        assert_eq!(did_you_mean("drift", &allowed), Some("drift_ppm"));
        assert_eq!(
            did_you_mean("hcl", &["wall", "hlc", "true_time"]),
            Some("hlc")
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn floats_must_be_finite() {
        assert_eq!(parse_float("1.5"), Ok(1.5));
        assert_eq!(parse_float("-2e3"), Ok(-2000.0));
        assert!(parse_float(".nan").is_err());
        assert!(parse_float("-.inf").is_err());
        assert!(parse_float("1e400").unwrap_err().contains("too large"));
        assert!(parse_float("infinity").is_err());
        assert!(parse_float("abc").is_err());
    }
}
