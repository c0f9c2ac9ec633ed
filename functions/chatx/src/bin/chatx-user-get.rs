//! `POST /chatx/user/get`: a user's public profile.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::users::get)).await
}
