//! The pipeline behind every command: arguments in, report out, exit code back.
//!
//! read -> extract -> analyse (parse, compare, rules) -> report -> render -> gate. Tests call
//! `run` in process with their own streams.

use crate::analysis;
mod baseline;
mod comment;
mod output;
mod settings;

use crate::cli::{CheckArgs, Cli, Command, CompareArgs};
use crate::finding::Finding;
use crate::gate;
use crate::pipeline;
use crate::plan::{self, PlanInfo, ReadOptions};
use crate::report::store::{Results, Slot, Store};
use crate::report::{InputError, Report};
use clap::{CommandFactory, Parser};
use std::ffi::OsString;
use std::io::{Read, Write};

/// The process's streams, so tests can run the whole pipeline in memory.
pub struct Io<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdin_is_terminal: bool,
    /// `stdin` is the process's own standard input (not a test's bytes): a plan piped in is
    /// then read on a second thread, from `std::io::stdin()`, like a file.
    pub stdin_is_process: bool,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Colour is allowed: stdout is a terminal and `NO_COLOR` is not set.
    pub color: bool,
    /// Standard output is a terminal: tables then fit its width.
    pub terminal: bool,
}

/// Why a run could not complete (exit code 2). The message is one line.
#[derive(Debug)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Run trustgate with these arguments (the first is the program name); returns the exit code.
pub fn run<I, T>(args: I, io: &mut Io<'_>) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are successes; every other parse problem is a usage error.
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let sink: &mut dyn Write = if e.use_stderr() { io.err } else { io.out };
            let _ = sink.write_all(text.as_bytes());
            return code;
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(&args, io),
        Command::Baseline(args) => baseline::run(&args, io),
        Command::Simulate(args) => crate::simulate::run(&args, io),
        Command::Compare(args) => compare(&args, io),
        Command::Comment(args) => comment::run(&args, io),
        Command::Rules(config) => list_rules(&config, io),
        Command::Explain { id, config } => explain(&id, &config, io),
        Command::Init { force } => settings::init(force, io),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "trustgate", io.out);
            Ok(0)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(io.err, "trustgate: error: {e}");
            2
        }
    }
}

fn list_rules(config: &crate::cli::ConfigArgs, io: &mut Io<'_>) -> Result<i32, RunError> {
    let config = settings::load_config(config)?;
    let builtin = crate::rules::REGISTRY.iter().map(|r| (r.meta(), ""));
    let custom = config.custom.iter().map(|c| (c.meta, " (custom)"));
    for (m, tag) in builtin.chain(custom) {
        writeln!(
            io.out,
            "{:<26} {:<8} {}{tag}",
            m.id,
            m.default_severity.as_str(),
            m.summary
        )
        .map_err(write_error)?;
    }
    Ok(0)
}

pub(crate) fn write_error(e: std::io::Error) -> RunError {
    RunError(format!("cannot write output: {e}"))
}

/// Gate the report, render it everywhere asked, return the exit code.
fn finish(
    mut report: Report,
    run: &settings::RunSettings,
    outputs: &[output::OutputSpec],
    args: &crate::cli::OutputArgs,
    io: &mut Io<'_>,
) -> Result<i32, RunError> {
    report.exit_code = if report.errors.is_empty() {
        let counts = report.counts();
        gate::exit_code_counted(
            crate::finding::Severity::ALL
                .iter()
                .map(|s| (*s, counts.by_severity.get(s.as_str()).copied().unwrap_or(0))),
            run.fail_on,
        )
    } else {
        // Some input was not read: whatever the rest say, the plan is not cleared.
        2
    };
    output::deliver(&report, outputs, args, io)?;
    Ok(report.exit_code)
}

fn check(args: &CheckArgs, io: &mut Io<'_>) -> Result<i32, RunError> {
    let run = settings::load(&args.policy)?;
    let outputs = output::parse_outputs(&args.output)?;
    let report = analyse_plans(&args.plans, args.terraform_bin.clone(), &run, io)?;
    finish(report, &run, &outputs, &args.output, io)
}

/// Read every plan and analyse every role in it: the report before the gate. Inputs that
/// cannot be read are named on standard error and listed in the report's `errors`.
fn analyse_plans(
    plans: &[String],
    terraform_bin: Option<String>,
    run: &settings::RunSettings,
    io: &mut Io<'_>,
) -> Result<Report, RunError> {
    let settings = &run.rules;
    let mut inputs = plans.to_vec();
    if inputs.is_empty() {
        if io.stdin_is_terminal {
            return Err(RunError(
                "no plan given: pass plan JSON files, a directory, or pipe `terraform show -json PLANFILE` into standard input".into(),
            ));
        }
        inputs.push("-".into());
    }
    let options = ReadOptions { terraform_bin };
    let judge =
        |findings: &mut Vec<Finding>| crate::suppress::judge(findings, &run.config, run.today);
    let store = Store::new();
    // Roles are analysed as they are read; what reading does not settle is analysed after.
    let (read, mut early) = pipeline::overlapped(settings, &judge, &store, |sink| {
        read_all(&inputs, &options, io, sink)
    });
    analysis::forget_parsed();
    let (mut read, mut notes, errors) = read?;
    for e in &errors {
        writeln!(io.err, "trustgate: error: {}", e.message).map_err(write_error)?;
    }
    // Each plan's collected context, taken out so the roles can be borrowed meanwhile.
    let contexts: Vec<plan::PlanContext> = read
        .iter_mut()
        .flat_map(|(_, plans)| plans.iter_mut())
        .map(|plan| std::mem::take(&mut plan.context))
        .collect();

    let mut infos: Vec<PlanInfo> = Vec::new();
    // Each role's result in plan order: taken from the early analysis when it matches the
    // finished role, else left for `late`.
    // Sized at once: grown by doubling, the last copy held half again the slots' size while
    // relating, when memory peaks.
    let roles = read
        .iter()
        .flat_map(|(_, plans)| plans.iter())
        .map(|plan| plan.roles.len())
        .sum();
    let mut slots: Vec<(&str, &plan::RoleChange, Option<Slot>)> = Vec::with_capacity(roles);
    let mut late: Vec<(&str, &plan::RoleChange)> = Vec::new();
    for (input, plans) in &read {
        for (doc, plan) in (1..).zip(plans) {
            let path = plan.info.path.as_str();
            for (index, change) in plan.roles.iter().enumerate() {
                let slot = early.take(&(*input, doc, index), change);
                if slot.is_none() {
                    late.push((path, change));
                }
                slots.push((path, change, slot));
            }
            for warning in &plan.info.warnings {
                notes.push(format!("{}: {warning}", plan.info.path));
            }
            if !plan.info.complete {
                notes.push(format!(
                    "{}: the plan is incomplete (`complete: false`): later changes may follow it",
                    plan.info.path
                ));
            }
            infos.push(plan.info.clone());
        }
    }
    // The early results are settled before the plan's facts are related: the two are the
    // largest things held per role after the read, and need not be held at once.
    drop(early);
    // What the whole plan says about each role (its permissions, its consumers), in role
    // order: each plan related to its context when its first role is taken, each role's
    // facts made when taken.
    let plan_facts = || {
        read.iter()
            .flat_map(|(_, plans)| plans.iter())
            .zip(&contexts)
            .flat_map(|(plan, context)| {
                crate::permissions::relation(&plan.roles, context).into_facts()
            })
    };
    // The roles are settled on a second thread as their facts are made here: after the read
    // the rest ran on one core, relating about half of it. Relating stays on this thread,
    // whose allocator holds the pages the early results just gave back (on a thread of its
    // own it took fresh ones: 5 MiB more at the peak). Facts go over in batches, a few at a
    // time, so they are not all held twice nor each sent with a wake-up.
    let (results, tally) = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<_>>(FACTS_IN_FLIGHT);
        let (give, take) = std::sync::mpsc::channel();
        let judge = &judge;
        let settling = std::thread::Builder::new()
            .name("trustgate-settle".into())
            .spawn_scoped(scope, move || match take.recv() {
                Ok((store, slots, late)) => settle(
                    store,
                    slots,
                    late,
                    receiver.into_iter().flatten(),
                    settings,
                    judge,
                ),
                Err(_) => Err(RunError(
                    "the report is incomplete: nothing to settle".into(),
                )),
            });
        let handle = match settling {
            Ok(handle) => match give.send((store, slots, late)) {
                Ok(()) => handle,
                Err(unsent) => {
                    let (store, slots, late) = unsent.0;
                    return settle(store, slots, late, plan_facts(), settings, judge);
                }
            },
            // No thread to be had: settle here, relating each role as it is taken.
            Err(_) => return settle(store, slots, late, plan_facts(), settings, judge),
        };
        let mut batch = Vec::with_capacity(FACTS_BATCH);
        for facts in plan_facts() {
            batch.push(facts);
            if batch.len() == FACTS_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(FACTS_BATCH));
                if sender.send(full).is_err() {
                    break;
                }
            }
        }
        // The settling thread may have stopped early (an error it returns): its result says.
        let _ = sender.send(batch);
        drop(sender);
        handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })?;
    // The roles and contexts as read are no longer needed: only the results are rendered.
    // (Freed on a thread of their own, their frees were only collected by this thread later,
    // at the latest by the allocator's collection at exit: no faster.)
    drop(contexts);
    drop(read);
    crate::compare::forget_answers();
    notes.extend(crate::suppress::notes(&run.config, run.today, &tally));
    Ok(Report {
        plans: infos,
        results,
        notes,
        errors,
        exit_code: 0,
    })
}

/// Roles' facts handed to the settling thread at once (one wake-up each)...
const FACTS_BATCH: usize = 256;
/// ...and how many such batches relating may be ahead of settling.
const FACTS_IN_FLIGHT: usize = 2;

/// Settle every role's result in plan order: the roles the read left open analysed now,
/// then each role's stored or late result joined with its plan facts (`facts`, one per role
/// in the same order) and kept in the report's results.
fn settle<'a>(
    store: Store,
    slots: Vec<(&'a str, &'a plan::RoleChange, Option<Slot>)>,
    late: Vec<(&'a str, &'a plan::RoleChange)>,
    facts: impl Iterator<Item = crate::permissions::RoleFacts>,
    settings: &crate::rules::RuleSettings,
    judge: pipeline::Judge<'_>,
) -> Result<(Results, crate::suppress::Tally), RunError> {
    // The reader stowed the roles' trust texts in the store: read back those analysed again.
    let incomplete = |e: String| RunError(format!("the report is incomplete: {e}"));
    let late = late
        .into_iter()
        .map(|(path, change)| Ok((path, pipeline::restore(&store, change)?)))
        .collect::<Result<Vec<_>, String>>()
        .map_err(incomplete)?;
    let late_jobs: Vec<(&str, &plan::RoleChange)> = late
        .iter()
        .map(|(path, change)| (*path, &**change))
        .collect();
    let late_results = analysis::analyse_all(&late_jobs, settings);
    drop(late_jobs);
    drop(late);
    let mut late = late_results.into_iter();
    let mut results = Results::with_capacity(store, slots.len());
    let mut tally = crate::suppress::Tally::default();
    for ((path, change, slot), facts) in slots.into_iter().zip(facts) {
        let slot = match slot {
            // A stored result already says what a role with no plan facts says.
            Some(slot) if !facts.matter() => slot,
            slot => {
                // What the facts add: the consumer rule's findings (only with a consumer or a
                // long session), and a raise of the findings of an admin-equivalent role. A
                // stored result is read back only when either changes its findings; otherwise
                // the permissions are kept beside it.
                let extra = if facts.needs_trust() {
                    let change = pipeline::restore(results.store(), change).map_err(incomplete)?;
                    analysis::consumer_findings(path, &change, &facts, settings)
                } else {
                    Vec::new()
                };
                let mut result = match slot {
                    Some(slot)
                        if extra.is_empty()
                            && !analysis::facts_raise_findings(&facts, slot.findings) =>
                    {
                        match results.store().with_permissions(slot, &facts.blast) {
                            Ok(slot) => {
                                keep(&mut results, &mut tally, path, slot);
                                continue;
                            }
                            Err(slot) => results.store().result(&slot, path).map_err(incomplete)?,
                        }
                    }
                    Some(slot) => results.store().result(&slot, path).map_err(incomplete)?,
                    // Settled only after the read.
                    None => match late.next() {
                        Some(result) => result,
                        None => continue,
                    },
                };
                analysis::apply_plan_facts(facts, extra, &mut result);
                pipeline::store(results.store(), judge, result)
            }
        };
        keep(&mut results, &mut tally, path, slot);
    }
    Ok((results, tally))
}

/// Add a role's settled result to the report.
fn keep(results: &mut Results, tally: &mut crate::suppress::Tally, plan: &str, slot: Slot) {
    tally.add(&slot.tally);
    results.push(plan, slot);
}

fn compare(args: &CompareArgs, io: &mut Io<'_>) -> Result<i32, RunError> {
    let run = settings::load(&args.policy)?;
    let outputs = output::parse_outputs(&args.output)?;
    let settings = &run.rules;
    let mut stdin_used = false;
    let (before_name, before) = crate::simulate::read_text(&args.before, io, &mut stdin_used)?;
    let (after_name, after) = crate::simulate::read_text(&args.after, io, &mut stdin_used)?;
    let mut result = analysis::analyse_pair(Some(&before), &after, Some(&args.role), settings);
    // Name the compared files as the "plan", so findings point at what the user gave.
    let label = format!("{before_name} -> {after_name}");
    result.role.plan = label.clone();
    for f in &mut result.findings {
        f.plan = label.clone();
    }
    let notes = run.suppress(&mut result.findings);
    let report = Report {
        results: Results::from_results(vec![result]),
        plans: vec![PlanInfo {
            path: label,
            format_version: None,
            terraform_version: None,
            complete: true,
            warnings: Vec::new(),
            module_sources: Vec::new(),
        }],
        notes,
        errors: Vec::new(),
        exit_code: 0,
    };
    finish(report, &run, &outputs, &args.output, io)
}

pub use crate::report::docs::rule_doc;

fn explain(id: &str, config: &crate::cli::ConfigArgs, io: &mut Io<'_>) -> Result<i32, RunError> {
    if crate::rules::find(id).is_none() {
        let config = settings::load_config(config)?;
        let Some(custom) = config.custom.iter().find(|c| c.meta.id == id) else {
            return Err(RunError(format!(
                "unknown rule `{id}`; `trustgate rules` lists them"
            )));
        };
        writeln!(
            io.out,
            "## {id}\n\nSeverity: {}. A custom rule from the configuration.\n\nWhat: {}",
            custom.meta.default_severity.as_str(),
            custom.message
        )
        .map_err(write_error)?;
        return Ok(0);
    }
    let text = rule_doc(id)
        .ok_or_else(|| RunError(format!("rule `{id}` has no section in docs/rules.md")))?;
    writeln!(io.out, "{text}").map_err(write_error)?;
    Ok(0)
}

/// Every plan of every input, by input (numbered as `sink` was told), standard input at
/// most once; the notes about them; and the inputs that could not be read.
type ReadPlans = (Vec<(usize, Vec<plan::Plan>)>, Vec<String>, Vec<InputError>);

/// Read every input, telling `sink` of roles as they are read. An input that cannot be read
/// is recorded and the others are still read: one broken plan among many must not hide what
/// the rest say (the run still exits 2).
fn read_all(
    inputs: &[String],
    options: &ReadOptions,
    io: &mut Io<'_>,
    sink: &mut pipeline::Pipeline<'_, '_>,
) -> Result<ReadPlans, RunError> {
    if inputs.iter().filter(|i| *i == "-").count() > 1 {
        return Err(RunError(
            "`-` (standard input) is given more than once".into(),
        ));
    }
    // Each expanded input with the argument it came from, so errors keep the user's order.
    let mut expanded = Vec::new();
    let mut notes = Vec::new();
    let mut errors: Vec<(usize, InputError)> = Vec::new();
    for (arg, input) in inputs.iter().enumerate() {
        match plan::expand_inputs(std::slice::from_ref(input)) {
            Ok((found, found_notes)) => {
                expanded.extend(found.into_iter().map(|f| (arg, f)));
                notes.extend(found_notes);
            }
            Err(e) => errors.push((
                arg,
                InputError {
                    path: input.clone(),
                    message: e.to_string(),
                },
            )),
        }
    }
    let mut plans = Vec::new();
    for (number, (arg, input)) in expanded.iter().enumerate() {
        sink.input = number;
        let (path, read) = match input {
            plan::Input::Stdin => {
                // Streamed, like a file: a plan piped in costs no more memory than one named.
                let read = if io.stdin_is_process {
                    plan::read_stdin(options, sink)
                } else {
                    plan::read_reader_with("-", &mut *io.stdin, options, sink)
                };
                ("-".to_string(), read)
            }
            plan::Input::File { path, display } => (
                display.clone(),
                plan::read_path_with(path, display, options, sink),
            ),
        };
        match read {
            Ok(read) => plans.push((number, read)),
            Err(e) => errors.push((
                *arg,
                InputError {
                    path,
                    message: e.to_string(),
                },
            )),
        }
    }
    notes.sort();
    notes.dedup();
    errors.sort_by_key(|(arg, _)| *arg);
    Ok((plans, notes, errors.into_iter().map(|(_, e)| e).collect()))
}
