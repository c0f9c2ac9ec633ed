//! `POST /merge/:type`: merge the chunks of a file (seed 003 #41).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::STORAGE], shared::handler!(weifchat::uploads::merge)).await
}
