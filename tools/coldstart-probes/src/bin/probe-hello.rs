//! The hello-world probe: a `lambda_http` function that answers every request with a fixed text,
//! with the functions' versions of `lambda_http` and tokio. What a Rust function costs before it
//! does anything.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_: Request| async {
        Ok::<_, Error>(Response::new(Body::from("hello")))
    }))
    .await
}
