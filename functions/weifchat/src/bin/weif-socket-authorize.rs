//! The chat socket's `$connect` authorizer: checks the weifChat token (weifChat socket).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_authorizer(shared::authorizer!(weifchat::socket::authorize)).await
}
