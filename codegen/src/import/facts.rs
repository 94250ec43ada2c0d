//! Facts stated in a description cell: the default value, the allowed values, the wire
//! form of booleans, parameters of which one is enough, and rows that stand for any
//! field of another object.

use crate::spec::{BoolFormat, Scalar};

/// The default the description states (`Default — \`N\``, `Default is \`10\``), if any.
pub fn default_value(description: &str) -> Option<Scalar> {
    // ASCII lower case keeps byte offsets, so `at` indexes `description` too.
    let lower = description.to_ascii_lowercase();
    let at = lower.find("default")?;
    // The value is the first code span within a short distance of the word.
    let after = &description[at..];
    let window: String = after.chars().take(60).collect();
    let open = window.find('`')?;
    // Only connecting words may stand between the word and the value
    // ("Default — `N`", "Default value is `10`", "defaults to `Y`").
    let between = window.get(7..open)?.to_lowercase();
    let connecting = between
        .split(|c: char| c.is_whitespace() || ",:—–-=".contains(c))
        .all(|w| {
            [
                "", "s", "value", "values", "is", "to", "set", "equals", "the",
            ]
            .contains(&w)
        });
    if !connecting {
        return None;
    }
    let rest = &window[open + 1..];
    let close = rest.find('`')?;
    let value = rest[..close].trim();
    if value.is_empty() || value.eq_ignore_ascii_case("null") || value.contains(' ') {
        return None;
    }
    Some(scalar(value))
}

/// The allowed values listed as bullets (`- \`Y\` — yes`), when there are at least two.
pub fn allowed_values(description: &str) -> Option<Vec<Scalar>> {
    // Bullets list values only after the text speaks of values ("Possible values:");
    // other bullet lists explain placeholders or name parameters.
    let first_bullet = description
        .lines()
        .position(|l| l.trim_start().starts_with("- `") || l.trim_start().starts_with("* `"))?;
    let intro: String = description
        .lines()
        .take(first_bullet)
        .collect::<Vec<_>>()
        .join(" ");
    // "… a set of fields with values in that language will be returned:" lists fields.
    let intro = intro.to_lowercase();
    if !intro.contains("value") || intro.contains("fields with values") {
        return None;
    }
    let mut values = Vec::new();
    for line in description.lines() {
        let line = line.trim();
        let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) else {
            continue;
        };
        let item = item.trim();
        let Some(rest) = item.strip_prefix('`') else {
            continue;
        };
        let Some(close) = rest.find('`') else {
            continue;
        };
        let value = rest[..close].trim();
        let tail = rest[close + 1..].trim_start();
        // `- \`Y\` — yes` lists a value (`- \`true\` or \`1\` — on`, two spellings of one);
        // `- \`fields\` object …` names a parameter.
        let is_value_item = tail.is_empty()
            || tail.starts_with("or `")
            || tail.starts_with('—')
            || tail.starts_with('-')
            || tail.starts_with('–')
            || tail.starts_with(':')
            || tail.starts_with('(')
            || tail.starts_with(',')
            || tail.starts_with('=');
        let token = value
            .chars()
            .all(|c| c.is_alphanumeric() || "_.:-/#".contains(c));
        if value.is_empty() || !token || !is_value_item {
            continue;
        }
        let value = scalar(value.trim_matches(|c| c == '\'' || c == '"'));
        if !values.contains(&value) {
            values.push(value);
        }
    }
    (values.len() >= 2).then_some(values)
}

/// The wire form of a boolean whose allowed values are listed.
pub fn bool_format(values: &[Scalar]) -> Option<BoolFormat> {
    let texts: Vec<String> = values
        .iter()
        .map(|v| v.to_string().to_uppercase())
        .collect();
    let has = |a: &str, b: &str| texts.iter().any(|t| t == a) && texts.iter().any(|t| t == b);
    if has("Y", "N") {
        Some(BoolFormat::YesNo)
    } else if has("1", "0") {
        Some(BoolFormat::ZeroOne)
    } else if has("TRUE", "FALSE") {
        Some(BoolFormat::TrueFalse)
    } else {
        None
    }
}

/// Whether text values are the `Y`/`N` form of a boolean: the listed values are exactly
/// `Y` and `N`, or, with none listed, the description gives them as `` `Y`/`N` `` or
/// `` `Y` or `N` ``.
pub fn is_yes_no(listed: Option<&[Scalar]>, description: &str) -> bool {
    match listed {
        Some(values) => {
            let mut texts: Vec<String> = values.iter().map(Scalar::to_string).collect();
            texts.sort();
            texts == ["N", "Y"]
        }
        None => ["`Y`/`N`", "`Y` / `N`", "`Y` or `N`"]
            .iter()
            .any(|form| description.contains(form)),
    }
}

/// A value as a YAML scalar: booleans and integers keep their kind, the rest is text.
/// Names that stand in for one another, from sentences such as "At least one of the
/// parameters must be specified: `IBLOCK_ID` or `IBLOCK_CODE`": each group has two or
/// more code spans of a sentence speaking of "one of" or "either".
pub fn alternatives(description: &str) -> Vec<Vec<String>> {
    description
        .split(['.', '\n'])
        .filter(|sentence| {
            let lower = sentence.to_lowercase();
            lower.contains("one of") || lower.contains("either")
        })
        .map(|sentence| {
            sentence
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|names| names.len() >= 2)
        .collect()
}

/// Whether a description makes the requirement conditional ("Required if `DIALOG_ID` is
/// not provided", "Required if `USE_PLACEMENT = 'Y'`"): the parameter may be left out.
pub fn required_only_if(description: &str) -> bool {
    let lower = description.to_lowercase();
    [
        "required if ",
        "required when ",
        "required only ",
        "relevant only ",
    ]
    .iter()
    .any(|phrase| lower.contains(phrase))
}

/// Whether a row stands for whichever fields of a linked object are selected ("Any field
/// of the page from [Page Object Fields](../fields.md)") rather than being one field.
pub fn stands_for_any_field(description: &str) -> bool {
    let lower = description.trim_start().to_lowercase();
    ["any field of ", "a field of "]
        .iter()
        .any(|opening| lower.starts_with(opening))
        && description.contains("](")
}

fn scalar(text: &str) -> Scalar {
    if let Ok(b) = text.parse::<bool>() {
        return Scalar::Bool(b);
    }
    match text.parse::<i64>() {
        Ok(n) if !text.starts_with('0') || text == "0" => Scalar::Int(n),
        _ => Scalar::Str(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_make_a_requirement_optional() {
        assert!(required_only_if(
            "Chat id. Required if `DIALOG_ID` is not provided"
        ));
        assert!(required_only_if("Required when the type is `list`"));
        assert!(required_only_if(
            "Relevant only for services of type `list (enum)`"
        ));
        assert!(!required_only_if("Task identifier"));
        assert!(!required_only_if("A required field of the form"));
    }

    #[test]
    fn reads_defaults() {
        assert_eq!(
            default_value("Default — `N`"),
            Some(Scalar::Str("N".into()))
        );
        assert_eq!(default_value("Default is `50`."), Some(Scalar::Int(50)));
        assert_eq!(default_value("Default — `null`"), None);
        assert_eq!(default_value("No default here `x`"), None);
    }

    #[test]
    fn reads_alternatives() {
        let note = "Code.\n\nAt least one of the parameters must be specified: `IBLOCK_ID` or `IBLOCK_CODE`";
        assert_eq!(alternatives(note), [["IBLOCK_ID", "IBLOCK_CODE"]]);
        assert!(alternatives("Either an empty `NAME` was provided").is_empty());
        assert!(
            alternatives("Pass `A` or `B`").is_empty(),
            "no word of choice"
        );
    }

    #[test]
    fn tells_yes_no_text() {
        let yn = [Scalar::Str("Y".into()), Scalar::Str("N".into())];
        assert!(is_yes_no(Some(&yn), ""));
        let ynd = [yn[0].clone(), yn[1].clone(), Scalar::Str("D".into())];
        assert!(!is_yes_no(Some(&ynd), "`Y` or `N`"));
        assert!(is_yes_no(None, "Active (`Y`/`N`)"));
        assert!(is_yes_no(None, "Pass `Y` or `N`"));
        assert!(!is_yes_no(None, "Any text"));
    }

    #[test]
    fn reads_bulleted_values_only() {
        let d = "Possible values:\n\n- `Y` — yes\n- `N` — no\n\nDefault `N`";
        assert_eq!(
            allowed_values("Template:\n- `id` — id\n- `name` — name"),
            None
        );
        let values = allowed_values(d).unwrap();
        assert_eq!(
            values,
            vec![Scalar::Str("Y".into()), Scalar::Str("N".into())]
        );
        assert_eq!(bool_format(&values), Some(BoolFormat::YesNo));
        assert_eq!(
            allowed_values("- `fields` object with\n- `id` number of"),
            None
        );
        // Bullets naming the fields a language filter returns are no values of it.
        let fields = "A set of fields with values in that language is returned:\n\
            - `EDIT_FORM_LABEL` — label\n- `HELP_MESSAGE` — help";
        assert_eq!(allowed_values(fields), None);
        assert_eq!(
            allowed_values("Values:\n- `1` — one\n- `2` — two"),
            Some(vec![Scalar::Int(1), Scalar::Int(2)])
        );
        // Of two spellings of one value, the first is listed.
        let spellings = "Possible values:\n- `true` or `1` - on\n- `false` or `0` - off";
        let values = allowed_values(spellings).unwrap();
        assert_eq!(values, vec![Scalar::Bool(true), Scalar::Bool(false)]);
        assert_eq!(bool_format(&values), Some(BoolFormat::TrueFalse));
    }
}
