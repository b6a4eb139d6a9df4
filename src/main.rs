//! `firebreak`: parse the command line, set up logging, run, map errors to exit codes
//! (0 done, 1 GitHub or runtime failure, 2 usage or configuration error).

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};
use firebreak::workflow::console;

fn main() -> ExitCode {
    // `--version` names the commit too (build.rs): `firebreak 0.1.0 (commit 1a2b3c4d5e6f)`.
    let matches = firebreak::cli::Cli::command()
        .version(env!("FIREBREAK_LONG_VERSION"))
        .get_matches();
    let cli = firebreak::cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // In Actions every log line is defused: no text people wrote can form a workflow command.
    let actions = console::in_actions();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FIREBREAK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        // Colors only for a person at a terminal: never in Actions, a log file or a container's log.
        .with_ansi(!actions && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(move || -> Box<dyn std::io::Write> {
            if actions {
                Box::new(console::Defused(std::io::stderr()))
            } else {
                Box::new(std::io::stderr())
            }
        })
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            console::err(&format!("firebreak: cannot start the async runtime: {e}"));
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(firebreak::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let code = firebreak::exit_code_for(&error);
            if console::in_actions() {
                println!(
                    "{}",
                    firebreak::workflow::annotation("error", &format!("{error:#}"))
                );
            }
            console::err(&format!("firebreak: {error:#}"));
            ExitCode::from(code)
        }
    }
}
