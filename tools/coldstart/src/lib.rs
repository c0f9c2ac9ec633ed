//! Cold start, memory and size of the functions' release binaries (issue 11, part 1(a) and 4):
//! each binary runs as a child process against a local Lambda Runtime API ([`runtime`]), with its
//! environment from `template.yaml` ([`env`]), and is measured from outside ([`measure`]); the
//! results are written as a markdown section ([`report`]).

pub mod env;
pub mod measure;
pub mod procfs;
pub mod report;
pub mod runtime;
pub mod tls;
