//! Number text handling: parsing decimal text into the canonical [`Number`] form and
//! comparing numbers by value across the `Int` / `Float` / `Big` representations.
//!
//! Terraform numbers are arbitrary-precision decimals; exactness matters because
//! Terraform compares what a provider returns with what it sent, so a number must never
//! be silently rounded on its way through the provider.

use super::Number;

/// A decimal number in normal form: `(-1)^negative × digits × 10^exponent`, where
/// `digits` has no leading or trailing zeros (zero is the empty digit string with
/// exponent 0 and `negative == false`). Two equal numbers have equal normal forms.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Decimal {
    /// Parses JSON number syntax: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    pub(crate) fn parse(text: &str) -> Option<Decimal> {
        let bytes = text.as_bytes();
        let mut pos = 0;
        let negative = bytes.first() == Some(&b'-');
        if negative {
            pos += 1;
        }
        let int_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        let int_part = &text[int_start..pos];
        if int_part.is_empty() || (int_part.len() > 1 && int_part.starts_with('0')) {
            return None;
        }
        let mut frac_part = "";
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            let frac_start = pos;
            while pos < bytes.len() && bytes[pos].is_ascii_digit() {
                pos += 1;
            }
            frac_part = &text[frac_start..pos];
            if frac_part.is_empty() {
                return None;
            }
        }
        let mut exponent: i64 = 0;
        if matches!(bytes.get(pos), Some(b'e' | b'E')) {
            pos += 1;
            let exp_negative = match bytes.get(pos) {
                Some(b'-') => {
                    pos += 1;
                    true
                }
                Some(b'+') => {
                    pos += 1;
                    false
                }
                _ => false,
            };
            let exp_start = pos;
            while pos < bytes.len() && bytes[pos].is_ascii_digit() {
                pos += 1;
            }
            let exp_text = &text[exp_start..pos];
            // Exponents beyond this are not numbers anyone means; refusing them keeps
            // the arithmetic below from overflowing.
            if exp_text.is_empty() || exp_text.len() > 9 {
                return None;
            }
            exponent = exp_text.parse().ok()?;
            if exp_negative {
                exponent = -exponent;
            }
        }
        if pos != bytes.len() {
            return None;
        }
        let frac_len = i64::try_from(frac_part.len()).ok()?;
        let all_digits = format!("{int_part}{frac_part}");
        let trimmed_leading = all_digits.trim_start_matches('0');
        let trimmed = trimmed_leading.trim_end_matches('0');
        let trailing_zeros = i64::try_from(trimmed_leading.len() - trimmed.len()).ok()?;
        if trimmed.is_empty() {
            return Some(Decimal {
                negative: false,
                digits: String::new(),
                exponent: 0,
            });
        }
        Some(Decimal {
            negative,
            digits: trimmed.to_string(),
            exponent: exponent - frac_len + trailing_zeros,
        })
    }

    /// The exact decimal value of a number; `None` for invalid `Big` text and for
    /// non-finite floats.
    pub(crate) fn of(number: &Number) -> Option<Decimal> {
        match number {
            Number::Int(i) => Decimal::parse(&i.to_string()),
            Number::Float(f) => Decimal::of_f64(*f),
            Number::Big(text) => Decimal::parse(text),
        }
    }

    fn of_f64(f: f64) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        // An f64 has at most 767 significant decimal digits, and fixed-precision
        // formatting is exact, so 800 digits after the point print the exact value.
        Decimal::parse(&format!("{f:.800e}"))
    }

    fn to_i64(&self) -> Option<i64> {
        if self.digits.is_empty() {
            return Some(0);
        }
        if self.exponent < 0 {
            return None;
        }
        let total_len = i64::try_from(self.digits.len()).ok()? + self.exponent;
        if total_len > 19 {
            return None;
        }
        let mut magnitude: i128 = self.digits.parse().ok()?;
        for _ in 0..self.exponent {
            magnitude *= 10;
        }
        let signed = if self.negative { -magnitude } else { magnitude };
        i64::try_from(signed).ok()
    }

    /// Plain notation when it stays reasonably short, exponent notation otherwise.
    pub(crate) fn to_text(&self) -> String {
        if self.digits.is_empty() {
            return "0".to_string();
        }
        let sign = if self.negative { "-" } else { "" };
        let digit_count = self.digits.len() as i64;
        // Position of the decimal point relative to the start of the digits.
        let point = digit_count + self.exponent;
        if self.exponent >= 0 && point <= 21 {
            let zeros = "0".repeat(self.exponent as usize);
            format!("{sign}{}{zeros}", self.digits)
        } else if self.exponent < 0 && point > 0 {
            let (int_part, frac_part) = self.digits.split_at(point as usize);
            format!("{sign}{int_part}.{frac_part}")
        } else if self.exponent < 0 && point > -6 {
            let zeros = "0".repeat((-point) as usize);
            format!("{sign}0.{zeros}{}", self.digits)
        } else {
            let (first, rest) = self.digits.split_at(1);
            let dot = if rest.is_empty() { "" } else { "." };
            format!("{sign}{first}{dot}{rest}e{}", point - 1)
        }
    }

    fn is_integer(&self) -> bool {
        self.exponent >= 0
    }
}

/// See [`Number::parse`].
pub(crate) fn parse(text: &str) -> Option<Number> {
    let decimal = Decimal::parse(text)?;
    if let Some(i) = decimal.to_i64() {
        return Some(Number::Int(i));
    }
    if !decimal.is_integer() {
        if let Ok(f) = text.parse::<f64>() {
            if Decimal::of_f64(f).as_ref() == Some(&decimal) {
                return Some(Number::Float(f));
            }
        }
    }
    Some(Number::Big(text.to_string()))
}

/// The `i64` equal to `f`, if there is one.
pub(crate) fn f64_to_i64_exact(f: f64) -> Option<i64> {
    // 2^63 is exactly representable and is the first value out of range.
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_finite() && f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

/// The exact decimal text of a finite `f64`, in JSON number syntax. Exact rather than
/// shortest-round-trip, because Terraform reads number text at high precision: the
/// shortest text of `0.1f64` would come back as a different number.
pub(crate) fn f64_to_text(f: f64) -> String {
    match Decimal::of_f64(f) {
        Some(decimal) => decimal.to_text(),
        None => format!("{f}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_text_becomes_int_even_with_fraction_or_exponent() {
        assert_eq!(parse("42"), Some(Number::Int(42)));
        assert!(matches!(parse("1.0"), Some(Number::Int(1))));
        assert!(matches!(parse("1e3"), Some(Number::Int(1000))));
        assert!(matches!(parse("-0"), Some(Number::Int(0))));
        assert!(matches!(
            parse("-9223372036854775808"),
            Some(Number::Int(i64::MIN))
        ));
    }

    #[test]
    fn out_of_range_integers_stay_exact_text() {
        assert!(
            matches!(parse("9223372036854775808"), Some(Number::Big(t)) if t == "9223372036854775808")
        );
        assert!(matches!(
            parse("123456789012345678901234567890"),
            Some(Number::Big(_))
        ));
    }

    #[test]
    fn fractions_are_float_only_when_exact() {
        assert!(matches!(parse("1.5"), Some(Number::Float(f)) if f == 1.5));
        assert!(matches!(parse("0.1"), Some(Number::Big(t)) if t == "0.1"));
    }

    #[test]
    fn rejects_non_numbers() {
        for text in [
            "",
            "-",
            "1.",
            ".5",
            "01",
            "1e",
            "abc",
            "1 ",
            "+1",
            "1e9999999999",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn equality_is_by_value_across_representations() {
        assert_eq!(Number::Int(1000), Number::Big("1e3".into()));
        assert_eq!(Number::Float(0.5), Number::Big("5e-1".into()));
        assert_ne!(Number::Float(0.1), Number::Big("0.1".into()));
        assert_eq!(Number::Int(3), Number::Float(3.0));
        assert_ne!(
            Number::Int(i64::MAX),
            Number::Float(9_223_372_036_854_775_808.0)
        );
    }

    #[test]
    fn float_text_is_exact_and_round_trips() {
        for f in [
            0.0, 1.5, -2.25, 1e300, 5e-324, 0.1, 123456.789, 1e21, 1e22, 1e-7,
        ] {
            let text = f64_to_text(f);
            assert_eq!(text.parse::<f64>().ok(), Some(f), "{text}");
            assert_eq!(parse(&text), Some(Number::Float(f)), "{text}");
        }
        assert_eq!(f64_to_text(1.5), "1.5");
        assert_eq!(f64_to_text(-0.03125), "-0.03125");
        assert_eq!(f64_to_text(1e22), "1e22");
        assert_eq!(
            f64_to_text(0.1),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
    }

    #[test]
    fn decimal_text_reparses_to_the_same_value() {
        for text in [
            "0", "-12", "1.25", "0.000001", "1e-7", "123e40", "-4.5e-30", "100",
        ] {
            let decimal = Decimal::parse(text).unwrap();
            assert_eq!(Decimal::parse(&decimal.to_text()), Some(decimal), "{text}");
        }
    }
}
