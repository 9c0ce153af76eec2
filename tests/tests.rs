
/// Resource framework and provider configuration, through the ProviderService trait.
mod framework;
