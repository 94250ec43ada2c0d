//! How much of the docs an import captured, and how precisely.

use std::collections::BTreeMap;
use std::fmt;

use super::Import;
use super::types::{is_concrete, is_concrete_result};
use crate::spec::Field;

/// Counts over an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Pages documenting a method.
    pub method_pages: usize,
    /// Methods imported (after overrides).
    pub methods: usize,
    /// Methods marked deprecated.
    pub deprecated: usize,
    /// REST 3.0 methods.
    pub v3: usize,
    /// Parameters, nested fields included.
    pub params: FieldCount,
    /// Result fields (the result itself and every nested field).
    pub result_fields: FieldCount,
    /// Method-specific error entries.
    pub errors: usize,
    /// Distinct method-specific error codes.
    pub error_codes: usize,
    /// Pages with at least one problem.
    pub pages_with_problems: usize,
    /// Override files applied.
    pub overrides: usize,
    /// Pages documenting one event.
    pub event_pages: usize,
    /// Pages documenting several events.
    pub multi_event_pages: usize,
    /// Events imported (after overrides).
    pub events: usize,
    /// Events marked deprecated.
    pub deprecated_events: usize,
    /// Events whose `data` the docs do not describe.
    pub events_untyped: usize,
    /// Event data members and their fields, nested fields included.
    pub event_fields: FieldCount,
    /// Event pages with at least one problem.
    pub event_pages_with_problems: usize,
    /// Event override files applied.
    pub event_overrides: usize,
    /// Shared types of the objects the docs describe (overrides applied).
    pub types: usize,
    /// Fields of the shared types, nested fields included.
    pub type_fields: FieldCount,
    /// Type override files applied (whole types and corrections).
    pub type_overrides: usize,
    /// Methods that take the paging parameter (`start`, REST 3.0 `pagination`) or are
    /// paged: the lists the docs describe as paging.
    pub paging_lists: usize,
    /// Paged lists (the generated request implements `Paged`).
    pub paged: usize,
    /// Paged lists readable by identifier (`FastListed`).
    pub fast: usize,
    /// Lists that take the paging parameter but are not paged, with the reason.
    pub unpaged: Vec<(String, String)>,
    /// Paged lists not readable by identifier, by reason.
    pub slow: BTreeMap<String, usize>,
    /// Methods whose result is not typed (any JSON, or an object or list of objects
    /// without fields), each with the reason.
    pub untyped_results: Vec<(String, String)>,
    /// Of those, the methods the docs mark deprecated.
    pub untyped_deprecated: usize,
    /// Pages whose title and example call name different methods: (page, title, call,
    /// name chosen).
    pub disagreeing_names: Vec<[String; 4]>,
    /// Methods whose TypeScript examples declare a result type the importer can use.
    pub declared_results: usize,
    /// Results such a declaration filled in.
    pub results_declared: usize,
    /// Members of results such a declaration filled in.
    pub members_declared: usize,
    /// How the declarations agree in shape with the results the pages document:
    /// (compared, agreeing) for the results, then for their members.
    pub declared_agreement: [(usize, usize); 2],
    /// Results whose shape the declaration gives otherwise than the page: (method, the
    /// page's type, the declared type).
    pub declarations_disagreeing: Vec<[String; 3]>,
}

/// Fields counted by how precisely they are typed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldCount {
    /// Fields with a name of their own.
    pub named: usize,
    /// Named fields with a concrete type.
    pub typed: usize,
    /// Wildcard keys (`UF_*`, `*` of a filter): families of names, each any JSON or
    /// typed alike, so they are counted apart.
    pub wildcards: usize,
}

impl FieldCount {
    fn add(&mut self, fields: &[Field]) {
        for f in fields {
            if f.wildcard_prefix().is_some() {
                self.wildcards += 1;
            } else {
                self.named += 1;
                self.typed += usize::from(is_concrete(
                    &f.ty,
                    f.fields.as_ref().is_some_and(|x| !x.is_empty()),
                ));
            }
            if let Some(nested) = &f.fields {
                self.add(nested);
            }
        }
    }

    /// The share of named fields typed concretely, in percent.
    pub fn percent_typed(&self) -> f64 {
        percent(self.typed, self.named)
    }
}

impl fmt::Display for FieldCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} ({:.1}%), {} wildcard keys apart",
            self.typed,
            self.named,
            self.percent_typed(),
            self.wildcards
        )
    }
}

impl Stats {
    /// Counts an import.
    pub fn of(import: &Import) -> Stats {
        let mut s = Stats {
            method_pages: import.method_pages,
            methods: import.methods.len(),
            overrides: import.overrides,
            ..Stats::default()
        };
        let mut codes = std::collections::BTreeSet::new();
        for m in import.methods.values() {
            let spec = &m.spec;
            s.deprecated += usize::from(spec.deprecated);
            s.v3 += usize::from(spec.api == crate::spec::ApiVersion::V3);
            s.params.add(&spec.params);
            s.result_fields
                .add(std::slice::from_ref(&spec.result.as_field()));
            s.errors += spec.errors.len();
            codes.extend(spec.errors.iter().map(|e| e.code.clone()));
            if !is_concrete_result(&spec.result.ty, spec.result.fields.as_deref()) {
                s.untyped_results
                    .push((spec.method.clone(), untyped_reason(import, spec)));
                s.untyped_deprecated += usize::from(spec.deprecated);
            }
            if let Some(declared) = &m.declared_result {
                s.declared_results += 1;
                let filled = &m.filled_by_declaration;
                let whole = filled.iter().any(|path| path == "result");
                s.results_declared += usize::from(whole);
                s.members_declared += filled.len() - usize::from(whole);
                if !whole {
                    let fields_of =
                        |name: &str| import.types.get(name).and_then(|t| t.fields.clone());
                    let documented = spec.result.as_field();
                    let counts =
                        super::typescript::agreement(&documented, declared, filled, &fields_of);
                    if counts[0] == (1, 0) {
                        s.declarations_disagreeing.push([
                            spec.method.clone(),
                            documented.ty.to_string(),
                            declared.ty.to_string(),
                        ]);
                    }
                    for (total, (compared, agreeing)) in s.declared_agreement.iter_mut().zip(counts)
                    {
                        total.0 += compared;
                        total.1 += agreeing;
                    }
                }
            }
        }
        for m in import.methods.values() {
            let spec = &m.spec;
            let takes = super::listing::takes_paging(spec);
            if !takes && !spec.result.paged {
                continue;
            }
            s.paging_lists += 1;
            if !spec.result.paged {
                let reason = format!("its result `{}` holds no list of rows", spec.result.ty);
                s.unpaged.push((spec.method.clone(), reason));
                continue;
            }
            s.paged += 1;
            if spec.fast_listing.is_some() {
                s.fast += 1;
            } else {
                let reason = super::listing::fast_listing(spec, &import.types)
                    .err()
                    .unwrap_or("an override left it out");
                *s.slow.entry(reason.to_owned()).or_default() += 1;
            }
        }
        s.types = import.types.len();
        s.type_overrides = import.type_overrides;
        for ty in import.types.values() {
            s.type_fields.add(ty.fields.as_deref().unwrap_or_default());
        }
        s.disagreeing_names = import
            .disagreeing_names
            .iter()
            .map(|(page, n)| {
                let or_none = |v: &Option<String>| v.clone().unwrap_or_default();
                [
                    page.clone(),
                    or_none(&n.title),
                    or_none(&n.call),
                    n.name.clone(),
                ]
            })
            .collect();
        s.error_codes = codes.len();
        let mut pages: Vec<&str> = import.problems.iter().map(|(p, _)| p.as_str()).collect();
        pages.dedup();
        s.pages_with_problems = pages.len();

        s.event_pages = import.event_pages;
        s.multi_event_pages = import.multi_event_pages;
        s.events = import.events.len();
        s.event_overrides = import.event_overrides;
        let mut event_docs = std::collections::BTreeSet::new();
        for e in import.events.values() {
            s.deprecated_events += usize::from(e.spec.deprecated);
            match &e.spec.data {
                Some(data) => s.event_fields.add(std::slice::from_ref(&data.as_field())),
                None => s.events_untyped += 1,
            }
            event_docs.insert(e.spec.docs.as_str());
            if let Some(page) = &e.from_page {
                event_docs.insert(page.docs.as_str());
            }
        }
        s.event_pages_with_problems = pages.iter().filter(|p| event_docs.contains(*p)).count();
        s
    }
}

/// Why a method's result is untyped: what the importer could not read on its page, or
/// else the type the docs give without fields.
fn untyped_reason(import: &Import, spec: &crate::spec::MethodSpec) -> String {
    let result_problem = import
        .problems
        .iter()
        .find(|(page, problem)| *page == spec.docs && problem.contains("result"));
    let reason = match result_problem {
        Some((_, problem)) => problem.clone(),
        None => format!("the docs give `{}` and no fields", spec.result.ty),
    };
    match spec.deprecated {
        true => format!("{reason}; deprecated"),
        false => reason,
    }
}

/// `part` of `all` in percent; 100 when `all` is zero.
pub(crate) fn percent(part: usize, all: usize) -> f64 {
    if all == 0 {
        100.0
    } else {
        part as f64 * 100.0 / all as f64
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "method pages imported:     {} of {} ({:.1}%)",
            self.methods.min(self.method_pages),
            self.method_pages,
            percent(self.methods.min(self.method_pages), self.method_pages)
        )?;
        writeln!(
            f,
            "methods:                   {} ({} deprecated, {} REST 3.0)",
            self.methods, self.deprecated, self.v3
        )?;
        writeln!(f, "parameters typed:          {}", self.params)?;
        writeln!(f, "result fields typed:       {}", self.result_fields)?;
        writeln!(
            f,
            "shared types:              {} ({} with an override)",
            self.types, self.type_overrides
        )?;
        writeln!(f, "shared type fields typed:  {}", self.type_fields)?;
        writeln!(
            f,
            "method errors imported:    {} ({} distinct codes)",
            self.errors, self.error_codes
        )?;
        writeln!(f, "pages with problems:       {}", self.pages_with_problems)?;
        writeln!(f, "overrides applied:         {}", self.overrides)?;
        writeln!(
            f,
            "events imported:           {} from {} event pages ({} with one event, {} with several)",
            self.events,
            self.event_pages + self.multi_event_pages,
            self.event_pages,
            self.multi_event_pages
        )?;
        writeln!(
            f,
            "events:                    {} deprecated, {} without described data",
            self.deprecated_events, self.events_untyped
        )?;
        writeln!(f, "event data fields typed:   {}", self.event_fields)?;
        writeln!(
            f,
            "event pages with problems: {}",
            self.event_pages_with_problems
        )?;
        writeln!(f, "event overrides applied:   {}", self.event_overrides)?;
        writeln!(
            f,
            "paged lists:               {} of {} lists that page ({:.1}%), {} read by identifier",
            self.paged,
            self.paging_lists,
            percent(self.paged, self.paging_lists),
            self.fast
        )?;
        for (reason, count) in &self.slow {
            writeln!(f, "  not read by identifier: {count}: {reason}")?;
        }
        let [(results, results_agree), (members, members_agree)] = self.declared_agreement;
        writeln!(
            f,
            "TypeScript result types:   {} declared, filling in {} results and {} members; shapes agree with the page's in {} of {} results ({:.1}%), {} of {} members ({:.1}%)",
            self.declared_results,
            self.results_declared,
            self.members_declared,
            results_agree,
            results,
            percent(results_agree, results),
            members_agree,
            members,
            percent(members_agree, members)
        )?;
        writeln!(
            f,
            "untyped results:           {} of {} ({} of them deprecated)",
            self.untyped_results.len(),
            self.methods,
            self.untyped_deprecated
        )?;
        write!(
            f,
            "title and call disagree:   {} pages",
            self.disagreeing_names.len()
        )?;
        for (method, reason) in &self.untyped_results {
            write!(f, "\n  untyped result: {method}: {reason}")?;
        }
        for (method, reason) in &self.unpaged {
            write!(f, "\n  not paged: {method}: {reason}")?;
        }
        for [method, documented, declared] in &self.declarations_disagreeing {
            write!(
                f,
                "\n  shapes disagree: {method}: the page gives `{documented}`, its TypeScript example `{declared}`"
            )?;
        }
        for [page, title, call, chosen] in &self.disagreeing_names {
            write!(
                f,
                "\n  names disagree: {page}: title `{title}`, call `{call}`: `{chosen}` chosen"
            )?;
        }
        Ok(())
    }
}
