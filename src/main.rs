//! The `trustgate` binary: hand the process's streams to the library and exit with its code.

use std::io::IsTerminal;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let stdin = std::io::stdin();
    let stdin_is_terminal = stdin.is_terminal();
    let stdout = std::io::stdout();
    let stdout_is_terminal = stdout.is_terminal();
    let color = stdout_is_terminal && std::env::var_os("NO_COLOR").is_none();
    // Not locked: a plan piped in is read on another thread (through `std::io::stdin()`),
    // which a lock held here would block.
    let mut stdin = stdin;
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let code = {
        let mut io = trustgate::app::Io {
            stdin: &mut stdin,
            stdin_is_terminal,
            stdin_is_process: true,
            out: &mut out,
            err: &mut err,
            color,
            terminal: stdout_is_terminal,
        };
        trustgate::app::run(std::env::args_os(), &mut io)
    };
    use std::io::Write;
    match out.flush() {
        // A reader that closed the pipe early (`| head`) took what it wanted: end quietly
        // with the gate's answer.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        // Any other loss of output must not look like a clean pass.
        Err(_) => std::process::exit(if code == 0 { 2 } else { code }),
        Ok(()) => {}
    }
    std::process::exit(code);
}
