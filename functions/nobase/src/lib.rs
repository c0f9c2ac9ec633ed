//! The nobase BBS surface: one Lambda function per endpoint (see `src/bin/`), all in nobase's
//! style (`GET`/`POST`, parameters in the query string, a form or a JSON body; HTTP 200 with
//! `{code, msg, data}`). The checks every endpoint shares, and their order, are in
//! `shared::nobase`; handlers here only add their own parameters and their work.

pub mod likes;
pub mod posts;
pub mod users;

shared::functions! {
    "nobase";
    "nobase-bbs-post-like" => likes::post_like,
    "nobase-bbs-post-add" => posts::add,
    "nobase-bbs-post-detail" => posts::detail,
    "nobase-user-register" => users::register,
    "nobase-user-login" => users::login,
}

#[cfg(test)]
mod tests;
