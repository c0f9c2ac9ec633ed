//! `POST /api/user/login`: check user + pass; in token mode, issue a token.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(nobase::users::login)).await
}
