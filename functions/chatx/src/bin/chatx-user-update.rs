//! `POST /chatx/user/update`: change the caller's nickname or avatar.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::users::update)).await
}
