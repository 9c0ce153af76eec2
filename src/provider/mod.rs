//! provider
//!
//! PLACEHOLDER (wire layer): `service()` answers an empty provider schema so the
//! binary can be launched by Terraform before the framework lands. The framework
//! work replaces this file's contents.

use std::sync::Arc;

use crate::framework::diag::Diagnostics;
use crate::framework::rpc::*;

/// The provider as the wire layer serves it.
pub fn service() -> Arc<dyn ProviderService> {
    Arc::new(Placeholder)
}

struct Placeholder;

fn not_yet() -> Diagnostics {
    let mut diags = Diagnostics::new();
    diags.error(
        "Not Implemented Yet",
        "This build of terraform-provider-panel has no resources yet.",
    );
    diags
}

#[async_trait::async_trait]
impl ProviderService for Placeholder {
    async fn get_metadata(&self) -> GetMetadataResponse {
        GetMetadataResponse::default()
    }
    async fn get_provider_schema(&self) -> GetProviderSchemaResponse {
        GetProviderSchemaResponse::default()
    }
    async fn prepare_provider_config(
        &self,
        req: PrepareProviderConfigRequest,
    ) -> PrepareProviderConfigResponse {
        PrepareProviderConfigResponse {
            prepared_config: Some(req.config),
            diagnostics: Diagnostics::new(),
        }
    }
    async fn validate_resource_config(&self, _: ValidateResourceConfigRequest) -> Diagnostics {
        not_yet()
    }
    async fn validate_data_source_config(&self, _: ValidateDataSourceConfigRequest) -> Diagnostics {
        not_yet()
    }
    async fn upgrade_resource_state(
        &self,
        _: UpgradeResourceStateRequest,
    ) -> UpgradeResourceStateResponse {
        UpgradeResourceStateResponse {
            upgraded_state: None,
            diagnostics: not_yet(),
        }
    }
    async fn configure(&self, _: ConfigureRequest) -> Diagnostics {
        Diagnostics::new()
    }
    async fn read_resource(&self, _: ReadResourceRequest) -> ReadResourceResponse {
        ReadResourceResponse {
            diagnostics: not_yet(),
            ..Default::default()
        }
    }
    async fn plan_resource_change(
        &self,
        _: PlanResourceChangeRequest,
    ) -> PlanResourceChangeResponse {
        PlanResourceChangeResponse {
            diagnostics: not_yet(),
            ..Default::default()
        }
    }
    async fn apply_resource_change(
        &self,
        _: ApplyResourceChangeRequest,
    ) -> ApplyResourceChangeResponse {
        ApplyResourceChangeResponse {
            diagnostics: not_yet(),
            ..Default::default()
        }
    }
    async fn import_resource_state(
        &self,
        _: ImportResourceStateRequest,
    ) -> ImportResourceStateResponse {
        ImportResourceStateResponse {
            diagnostics: not_yet(),
            ..Default::default()
        }
    }
    async fn move_resource_state(&self, _: MoveResourceStateRequest) -> MoveResourceStateResponse {
        MoveResourceStateResponse {
            diagnostics: not_yet(),
            ..Default::default()
        }
    }
    async fn read_data_source(&self, _: ReadDataSourceRequest) -> ReadDataSourceResponse {
        ReadDataSourceResponse {
            diagnostics: not_yet(),
            ..Default::default()
        }
    }
    async fn validate_ephemeral_resource_config(
        &self,
        _: ValidateEphemeralResourceConfigRequest,
    ) -> Diagnostics {
        not_yet()
    }
    async fn open_ephemeral_resource(
        &self,
        _: OpenEphemeralResourceRequest,
    ) -> OpenEphemeralResourceResponse {
        OpenEphemeralResourceResponse {
            diagnostics: not_yet(),
            ..Default::default()
        }
    }
    async fn renew_ephemeral_resource(
        &self,
        _: RenewEphemeralResourceRequest,
    ) -> RenewEphemeralResourceResponse {
        RenewEphemeralResourceResponse {
            diagnostics: not_yet(),
            ..Default::default()
        }
    }
    async fn close_ephemeral_resource(&self, _: CloseEphemeralResourceRequest) -> Diagnostics {
        not_yet()
    }
    async fn get_functions(&self) -> Diagnostics {
        Diagnostics::new()
    }
    async fn call_function(&self, _: CallFunctionRequest) -> CallFunctionResponse {
        CallFunctionResponse {
            result: None,
            error: Some(("This provider defines no functions.".into(), None)),
        }
    }
    async fn stop(&self) -> Option<String> {
        None
    }
}
