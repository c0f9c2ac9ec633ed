//! `POST /api/user/register`: create a user of an app.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(nobase::users::register)).await
}
