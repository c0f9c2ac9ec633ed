//! `GET /weifchat/{path+}`: redirect to an uploaded file.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(
        &[shared::state::PRESIGNING],
        shared::handler!(weifchat::uploads::download),
    )
    .await
}
