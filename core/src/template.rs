//! Message templates: `{business_name}`, `{first_name}` and `{first_name|fallback}`.

use serde::Serialize;

/// A template parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    BusinessName,
    FirstName { fallback: Option<String> },
}

/// What a template is rendered with.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    /// The business's name.
    pub business_name: &'a str,
    /// The contact's first name, when known.
    pub first_name: Option<&'a str>,
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum TemplateError {
    /// A `{...}` that is not a placeholder.
    #[error(
        "{{{name}}} is not a placeholder; use {{business_name}}, {{first_name}} or {{first_name|fallback}}"
    )]
    UnknownPlaceholder {
        /// What was inside the braces.
        name: String,
    },
    /// A `{` with no `}`.
    #[error(
        "the “{{” at character {at} is never closed; close the placeholder with }} or remove the brace"
    )]
    Unclosed {
        /// Character index of the brace.
        at: usize,
    },
}

/// The placeholder names, for help texts.
pub const PLACEHOLDERS: [&str; 3] = ["{business_name}", "{first_name}", "{first_name|there}"];

impl Template {
    /// Parses a template; every `{...}` must be a known placeholder.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = source.char_indices().enumerate().peekable();
        while let Some((index, (_, c))) = chars.next() {
            if c != '{' {
                text.push(c);
                continue;
            }
            let mut inner = String::new();
            let mut closed = false;
            for (_, (_, c)) in chars.by_ref() {
                if c == '}' {
                    closed = true;
                    break;
                }
                inner.push(c);
            }
            if !closed {
                return Err(TemplateError::Unclosed { at: index });
            }
            let part = match inner.split_once('|') {
                None if inner == "business_name" => Part::BusinessName,
                None if inner == "first_name" => Part::FirstName { fallback: None },
                Some(("first_name", fallback)) if !fallback.contains('{') => Part::FirstName {
                    fallback: Some(fallback.to_string()),
                },
                _ => {
                    let name: String = inner.chars().take(40).collect();
                    return Err(TemplateError::UnknownPlaceholder { name });
                }
            };
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(part);
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template {
            source: source.to_string(),
            parts,
        })
    }

    /// Renders the text.
    pub fn render(&self, ctx: &RenderContext<'_>) -> String {
        let mut out = String::with_capacity(self.source.len() + 32);
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::BusinessName => out.push_str(ctx.business_name),
                Part::FirstName { fallback } => match (ctx.first_name, fallback) {
                    (Some(name), _) if !name.trim().is_empty() => out.push_str(name.trim()),
                    (_, Some(fallback)) => out.push_str(fallback),
                    _ => {}
                },
            }
        }
        out
    }

    /// Whether it names `{business_name}`.
    pub fn uses_business_name(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::BusinessName))
    }

    /// Whether it would send nothing (only white space) for a caller whose name is unknown.
    pub fn renders_empty(&self, business_name: &str) -> bool {
        self.render(&RenderContext {
            business_name,
            first_name: None,
        })
        .trim()
        .is_empty()
    }

    /// The text it was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// The first word of a contact's name.
pub fn first_name(full_name: &str) -> Option<String> {
    full_name.split_whitespace().next().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn render(t: &str, name: Option<&str>) -> String {
        Template::parse(t).expect(t).render(&RenderContext {
            business_name: "Acme",
            first_name: name,
        })
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            render("Hi {first_name|there}, {business_name} here", None),
            "Hi there, Acme here"
        );
        assert_eq!(
            render("Hi {first_name|there}, {business_name} here", Some("Ann")),
            "Hi Ann, Acme here"
        );
        assert_eq!(render("Hi {first_name}!", None), "Hi !");
        assert_eq!(render("Hi {first_name|}!", None), "Hi !");
        assert_eq!(render("a } b 💧\n", None), "a } b 💧\n");
        assert_eq!(first_name("  Ann   Lee "), Some("Ann".into()));
        assert_eq!(first_name("   "), None);
    }

    #[test]
    fn errors() {
        for (t, name) in [
            ("{frist_name}", "frist_name"),
            ("{ first_name }", " first_name "),
            ("{Business_Name}", "Business_Name"),
            ("{}", ""),
            ("{business_name|x}", "business_name|x"),
        ] {
            assert_eq!(
                Template::parse(t),
                Err(TemplateError::UnknownPlaceholder { name: name.into() }),
                "{t}"
            );
        }
        assert_eq!(
            Template::parse("Hi {first_name"),
            Err(TemplateError::Unclosed { at: 3 })
        );
        let msg = Template::parse("{nope}").expect_err("e").to_string();
        assert!(msg.contains("{nope} is not a placeholder"), "{msg}");
    }

    #[test]
    fn emptiness() {
        let t = Template::parse("{first_name}").expect("t");
        assert!(t.renders_empty("Acme"));
        assert!(
            !Template::parse("{first_name|there}")
                .expect("t")
                .renders_empty("")
        );
        assert!(
            Template::parse("  {business_name} ")
                .expect("t")
                .renders_empty("")
        );
        assert!(
            Template::parse("{business_name}")
                .expect("t")
                .uses_business_name()
        );
    }

    proptest! {
        #[test]
        fn brace_free_text_is_unchanged(text in "[^{}]{0,200}") {
            prop_assert_eq!(render(&text, Some("Zoë")), text);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,200}") {
            let _ = Template::parse(&text);
        }
    }
}
