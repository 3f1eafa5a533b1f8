//! `make bench`: generates plans of 1k, 10k and 100k resources (one resource in twenty an IAM
//! role), and a role-heavy plan of 100k resources where one in four is a role (25k roles), then
//! measures, side by side,
//! the floor (`floor`: whole file in memory, serde typed records) and trustgate's whole job
//! (`check --format json > /dev/null`, from a file and from standard input): wall time, MB/s,
//! peak RSS, and trustgate's ratio to the floor. The figure that matters is that ratio.
//! Then it times the comparator on the large equivalent and narrowing pairs of
//! `testdata/scale/` (also alone: `cargo run --release --example bench -- compare`).
//!
//! Each run goes through this program again (`bench measure ...`), so the peak RSS read with
//! `getrusage(RUSAGE_CHILDREN)` is that one process's, not the largest of all runs so far.
//! The best of several runs is kept (the machine's noise only ever adds time), the programs
//! taken in turn round after round so that a noisy minute slows them alike.

// A benchmark tool on its own generated data, not an input path: a panic here is a failed
// benchmark run, so plain indexing and arithmetic keep it readable.
#![allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// (resources, label, runs, one resource in how many is a role).
const SIZES: &[(usize, &str, usize, usize)] = &[
    (1_000, "1k", 7, 20),
    (10_000, "10k", 5, 20),
    (100_000, "100k", 5, 20),
    (100_000, "100k-r", 5, 4),
];
const SEED: u64 = 7;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("measure") {
        return measure(args.get(1..).unwrap_or_default());
    }
    // `bench compare`: only the large-comparison timings, without generating plans.
    if args.first().map(String::as_str) == Some("compare") {
        return compare_scale();
    }
    let me = std::env::current_exe()?;
    let examples = me.parent().ok_or("no examples directory")?.to_path_buf();
    let release = examples.parent().ok_or("no target directory")?;
    let trustgate = release.join("trustgate");
    let floor = examples.join("floor");
    let gen = examples.join("gen_plan");
    for tool in [&trustgate, &floor, &gen] {
        if !tool.is_file() {
            return Err(format!("{} is missing: run `make bench`", tool.display()).into());
        }
    }
    let dir = std::env::temp_dir().join(format!("trustgate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run_all(&me, &trustgate, &floor, &gen, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_all(me: &Path, trustgate: &Path, floor: &Path, gen: &Path, dir: &Path) -> Result<()> {
    println!(
        "{:<6} {:>8}  {:<17} {:>9} {:>9} {:>10} {:>8}",
        "plan", "MB", "program", "wall s", "MB/s", "peak RSS", "ratio"
    );
    for &(resources, label, runs, role_every) in SIZES {
        let plan = dir.join(format!("plan-{label}.json"));
        let status = Command::new(gen)
            .arg(resources.to_string())
            .arg(SEED.to_string())
            .arg(&plan)
            .arg(role_every.to_string())
            .status()?;
        if !status.success() {
            return Err(format!("gen_plan failed for {label}").into());
        }
        let mb = std::fs::metadata(&plan)?.len() as f64 / 1e6;
        // Warm the page cache, so every program reads from memory, not disk.
        std::fs::read(&plan)?;
        let plan_arg = plan.display().to_string();
        let floor_arg = floor.display().to_string();
        let tg = trustgate.display().to_string();
        let floor_cmd: &[&str] = &[&floor_arg, &plan_arg];
        let file_cmd: &[&str] = &[&tg, "check", "--format", "json", &plan_arg];
        let stdin_cmd: &[&str] = &[&tg, "check", "--format", "json", "-"];
        let [floor_run, file_run, stdin_run] = best(
            me,
            runs,
            [
                (floor_cmd, None),
                (file_cmd, None),
                (stdin_cmd, Some(&plan)),
            ],
        )?;
        for (name, run) in [
            ("floor (serde)", floor_run),
            ("trustgate file", file_run),
            ("trustgate stdin", stdin_run),
        ] {
            let ratio = if name.starts_with("floor") {
                String::new()
            } else {
                format!("{:.2}x", run.wall / floor_run.wall)
            };
            println!(
                "{:<6} {:>8.1}  {:<17} {:>9.3} {:>9.0} {:>7.1} MiB {:>8}",
                label,
                mb,
                name,
                run.wall,
                mb / run.wall,
                run.peak_kib as f64 / 1024.0,
                ratio
            );
        }
        std::fs::remove_file(&plan)?;
    }
    println!(
        "(100k-r: one resource in four is an IAM role, 25,000 roles; the others one in twenty)"
    );
    compare_scale()
}

/// Times the comparator on the large equivalent and narrowing policy pairs of
/// `testdata/scale/` (a dozen condition keys, hundreds of values, many wildcards): each must
/// settle without a widening and without hitting a bound, in well under a second.
fn compare_scale() -> Result<()> {
    use trustgate::compare::{compare, CompareOptions};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scale");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    println!();
    println!(
        "{:<36} {:>10} {:>12}",
        "large comparison", "verdict", "best ms"
    );
    for file in files {
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
        let before = trustgate::policy::parse_policy(&doc["before"].to_string())?;
        let after = trustgate::policy::parse_policy(&doc["after"].to_string())?;
        let mut best = f64::INFINITY;
        let mut verdict = String::new();
        for _ in 0..5 {
            // Each run compares afresh: a remembered answer would time the memory, not the
            // comparator.
            trustgate::compare::forget_answers();
            let start = Instant::now();
            let result = compare(&before, &after, &CompareOptions::default());
            best = best.min(start.elapsed().as_secs_f64() * 1e3);
            verdict = match result {
                Ok(c) => c.verdict.as_str().to_string(),
                Err(e) => format!("error: {e}"),
            };
        }
        let name = file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        println!("{name:<36} {verdict:>10} {best:>12.2}");
    }
    Ok(())
}

#[derive(Clone, Copy)]
struct Run {
    wall: f64,
    peak_kib: u64,
}

/// The fastest of `runs` runs of each command (and the largest peak RSS seen: memory is not
/// noise), the commands taken in turn round after round: a noisy
/// minute then slows every program a little rather than one program a lot, so their ratio
/// holds better than when each is run its `runs` times in a row.
fn best<const N: usize>(
    me: &Path,
    runs: usize,
    cmds: [(&[&str], Option<&PathBuf>); N],
) -> Result<[Run; N]> {
    let mut best: [Option<Run>; N] = [None; N];
    for _ in 0..runs {
        for ((cmd, stdin), best) in cmds.iter().zip(best.iter_mut()) {
            let mut command = Command::new(me);
            command.arg("measure");
            if let Some(path) = stdin {
                command.arg("--stdin").arg(path);
            }
            let output = command.args(*cmd).stderr(Stdio::inherit()).output()?;
            if !output.status.success() {
                return Err(format!("measuring {cmd:?} failed").into());
            }
            let text = String::from_utf8(output.stdout)?;
            let mut fields = text.split_whitespace();
            let wall: f64 = fields.next().ok_or("no wall time")?.parse()?;
            let peak_kib: u64 = fields.next().ok_or("no peak RSS")?.parse()?;
            *best = Some(match *best {
                Some(b) => Run {
                    wall: b.wall.min(wall),
                    peak_kib: b.peak_kib.max(peak_kib),
                },
                None => Run { wall, peak_kib },
            });
        }
    }
    let mut out = [Run {
        wall: 0.0,
        peak_kib: 0,
    }; N];
    for (slot, run) in out.iter_mut().zip(best) {
        *slot = run.ok_or("no runs")?;
    }
    Ok(out)
}

/// `measure [--stdin FILE] PROGRAM ARGS...`: run it once (stdout to /dev/null), print
/// `WALL_SECONDS PEAK_RSS_KIB`. Exit codes 0 and 1 are both a finished gate.
fn measure(args: &[String]) -> Result<()> {
    let (stdin, rest) = match args {
        [flag, path, rest @ ..] if flag == "--stdin" => (Some(path), rest),
        rest => (None, rest),
    };
    let (program, program_args) = rest.split_first().ok_or("nothing to measure")?;
    let mut command = Command::new(program);
    command.args(program_args).stdout(Stdio::null());
    if let Some(path) = stdin {
        command.stdin(std::fs::File::open(path)?);
    }
    let start = Instant::now();
    let status = command.status()?;
    let wall = start.elapsed().as_secs_f64();
    if !matches!(status.code(), Some(0 | 1)) {
        return Err(format!("{program} exited with {status}").into());
    }
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)?;
    // Linux reports ru_maxrss in KiB.
    println!("{wall:.6} {}", usage.max_rss());
    Ok(())
}
