"""The Azure templates and the container image definition (issue 13), checked as text.

No Bicep compiler can be installed on the test machines (it is published as a download
and on NuGet, neither of which they reach), and Docker's daemon may not run there, so
these tests check what matters in the files themselves: the Bicep resources and API
versions, the parameters, the outputs and the settings the web app gets; the Dockerfile's
pinned base, non-root user, health check and runtime-only dependencies. The image's
contents are tried without Docker in tests/e2e/test_container_contents.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.settings_names import settings_the_app_reads

REPO_ROOT = Path(__file__).resolve().parents[2]
BICEP = (REPO_ROOT / "infra" / "azure" / "main.bicep").read_text(encoding="utf-8")
PARAMS = (REPO_ROOT / "infra" / "azure" / "main.bicepparam").read_text(encoding="utf-8")
DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
DOCKERIGNORE = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8")

# Stable (not preview) API versions from each resource type's Azure template reference,
# except the diagnostic settings, whose newest version is a preview.
API_VERSIONS = {
    "Microsoft.ManagedIdentity/userAssignedIdentities": "2023-01-31",
    "Microsoft.KeyVault/vaults": "2023-07-01",
    "Microsoft.KeyVault/vaults/secrets": "2023-07-01",
    "Microsoft.Authorization/roleAssignments": "2022-04-01",
    "Microsoft.OperationalInsights/workspaces": "2023-09-01",
    "Microsoft.Insights/components": "2020-02-02",
    "Microsoft.Web/serverfarms": "2023-12-01",
    "Microsoft.Web/sites": "2023-12-01",
    "Microsoft.Web/certificates": "2023-12-01",
    "Microsoft.Insights/diagnosticSettings": "2021-05-01-preview",
    "Microsoft.Insights/webtests": "2022-06-15",
    "Microsoft.BotService/botServices": "2022-09-15",
    "Microsoft.BotService/botServices/channels": "2022-09-15",
}
# App settings that App Service itself reads, not the bot.
PLATFORM_SETTINGS = {"WEBSITES_PORT", "SCM_DO_BUILD_DURING_DEPLOYMENT", "WEBSITE_LOAD_CERTIFICATES"}


def resources() -> dict[str, str]:
    found = re.findall(r"^resource \w+ '([\w./]+)@([\w-]+)'", BICEP, re.MULTILINE)
    return dict(found)


def declared_params() -> dict[str, bool]:
    """Each parameter of main.bicep, and whether it has a default."""
    params = {}
    for name, rest in re.findall(r"^param (\w+) (.*)$", BICEP, re.MULTILINE):
        params[name] = "=" in rest
    return params


def block(name: str) -> str:
    match = re.search(rf"^resource {name} .*?^}}$", BICEP, re.MULTILINE | re.DOTALL)
    assert match, f"no resource {name} in main.bicep"
    return match.group(0)


def test_the_template_has_the_resources_the_deployment_needs_at_known_api_versions() -> None:
    assert resources() == API_VERSIONS


def test_the_azure_bot_is_single_tenant_with_the_teams_channel() -> None:
    bot = block("bot")
    assert "kind: 'azurebot'" in bot
    assert "msaAppType: 'SingleTenant'" in bot
    assert "msaAppTenantId: tenantId" in bot
    assert "endpoint: 'https://${site.properties.defaultHostName}/api/messages'" in bot
    assert "channelName: 'MsTeamsChannel'" in block("teams")


def test_the_web_app_runs_python_3_11_with_the_health_check_on_healthz() -> None:
    site = block("site")
    assert "linuxFxVersion: 'PYTHON|3.11'" in site
    assert "appCommandLine: 'python -m bot'" in site
    assert "healthCheckPath: '/healthz'" in site
    assert "httpsOnly: true" in site
    # One instance: the embedded default's SQLite file has one writer.
    assert "capacity: 1" in block("plan")
    assert "numberOfWorkers: 1" in site


def test_the_web_app_uses_the_managed_identity_for_key_vault() -> None:
    site = block("site")
    assert "type: 'UserAssigned'" in site
    assert "keyVaultReferenceIdentity: identity.id" in site
    assert "enableRbacAuthorization: true" in block("vault")
    assert "principalId: identity.properties.principalId" in block("secretReader")


def app_settings() -> dict[str, str]:
    site = block("site")
    pairs = re.findall(r"name: '(\w+)'\n\s+value: (.+)", site)
    return dict(pairs)


def test_every_app_setting_is_one_the_bot_or_app_service_reads() -> None:
    names = set(app_settings())
    assert names - PLATFORM_SETTINGS <= settings_the_app_reads()
    assert {"MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId"} <= names


def test_the_client_secret_reaches_the_app_only_as_a_key_vault_reference() -> None:
    settings = app_settings()
    assert settings["MicrosoftAppPassword"].startswith("'@Microsoft.KeyVault(SecretUri=")
    assert settings["MicrosoftAppType"] == "'SingleTenant'"
    secure = re.search(r"@secure\(\)\nparam (\w+)", BICEP)
    assert secure
    assert secure.group(1) == "botAppPassword"
    uses = [line for line in BICEP.splitlines() if "botAppPassword" in line]
    # Declared, asked whether it is empty, then stored in the vault: nowhere else.
    assert len(uses) == 3, uses
    assert "var useSecret = !useCertificate && !empty(botAppPassword)" in uses
    assert "value: botAppPassword" in block("botSecret")


def test_with_a_certificate_the_web_app_loads_it_from_key_vault_and_has_no_secret() -> None:
    # The certificate, else the secret: never both.
    assert "var useCertificate = !empty(botCertificateName)" in BICEP
    assert "= if (useSecret) {" in block("botSecret").splitlines()[0]
    certificate = block("botCertificate")
    assert "= if (useCertificate) {" in certificate.splitlines()[0]
    assert "keyVaultId: vault.id" in certificate
    assert "keyVaultSecretName: botCertificateName" in certificate
    assert "serverFarmId: plan.id" in certificate
    # App Service's own identity imports it, so that identity may read the certificates.
    importer = block("certificateImporter")
    assert "= if (useCertificate) {" in importer.splitlines()[0]
    assert "principalId: appServicePrincipalId" in importer
    assert "keyVaultCertificateUser" in importer
    assert "var keyVaultCertificateUser = 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba'" in BICEP
    site = block("site")
    chosen = site.split("useCertificate ? [", 1)[1]
    with_certificate, with_secret = chosen.split("] : useSecret ? [", 1)
    assert "MicrosoftAppPassword" not in with_certificate
    assert "MicrosoftAppCertificatePath" not in with_secret
    settings = app_settings()
    # Where App Service on Linux puts a loaded private certificate: PKCS#12, no password.
    assert settings["WEBSITE_LOAD_CERTIFICATES"] == "botCertificate.properties.thumbprint"
    assert settings["MicrosoftAppCertificatePath"] == (
        "'/var/ssl/private/${botCertificate.properties.thumbprint}.p12'"
    )


def test_the_template_brackets_balance() -> None:
    code = re.sub(r"'(?:[^'\\]|\\.)*'", "''", BICEP)  # strings may hold any bracket
    code = re.sub(r"//.*", "", code)
    for opening, closing in ("{}", "[]", "()"):
        assert code.count(opening) == code.count(closing), opening


def test_the_parameters_file_sets_every_required_parameter_and_no_unknown_one() -> None:
    assert "using './main.bicep'" in PARAMS
    given = set(re.findall(r"^param (\w+) =", PARAMS, re.MULTILINE))
    params = declared_params()
    assert given <= set(params)
    assert {name for name, has_default in params.items() if not has_default} <= given
    assert "param botAppPassword = readEnvironmentVariable('MicrosoftAppPassword', '')" in PARAMS


def test_the_outputs_are_what_the_administrator_needs_next_and_hold_no_secret() -> None:
    outputs = set(re.findall(r"^output (\w+) ", BICEP, re.MULTILINE))
    assert {
        "messagingEndpoint",
        "botAppId",
        "identityClientId",
        "botDomain",
        "botCertificateThumbprint",
    } <= outputs
    output_lines = [line for line in BICEP.splitlines() if line.startswith("output ")]
    assert not [line for line in output_lines if "Password" in line or "secret" in line]


# --- Dockerfile ---------------------------------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_the_base_image_is_an_exact_python_3_11_slim_bookworm_release() -> None:
    bases = [rest for keyword, rest in instructions() if keyword == "FROM"]
    assert len(bases) == 1
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", bases[0])


def test_the_image_runs_as_a_user_that_is_not_root() -> None:
    users = [rest for keyword, rest in instructions() if keyword == "USER"]
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    last_user = max(i for i, (keyword, _) in enumerate(instructions()) if keyword == "USER")
    assert all(keyword != "RUN" for keyword, _ in instructions()[last_user:])


def test_the_health_check_asks_healthz() -> None:
    checks = [rest for keyword, rest in instructions() if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "/healthz" in checks[0]
    assert "CMD" in checks[0]


def test_only_the_runtime_requirements_are_installed() -> None:
    runs = " ".join(rest for keyword, rest in instructions() if keyword == "RUN")
    assert "-r requirements.txt" in runs
    assert "requirements-dev" not in DOCKERFILE.replace("(requirements-dev.txt is never", "")
    copied = " ".join(rest for keyword, rest in instructions() if keyword == "COPY")
    assert "requirements-dev" not in copied
    assert not re.search(r"COPY \. ", DOCKERFILE), "copy named folders, not the whole tree"


def test_the_image_starts_the_bot_with_the_settings_the_app_reads() -> None:
    assert ("CMD", '["python", "-m", "bot"]') in instructions()
    env = " ".join(rest for keyword, rest in instructions() if keyword == "ENV")
    names = set(re.findall(r"(\w+)=", env))
    bot_names = {name for name in names if not name.startswith(("PYTHON", "PIP_"))}
    assert bot_names <= settings_the_app_reads()
    assert "SAFE_PREMISES_CONFIG=/app/config/trust.yaml" in env


@pytest.mark.parametrize("kept_out", [".env", ".venv", "var", "tests", ".git"])
def test_secrets_local_data_and_tests_stay_out_of_the_build_context(kept_out: str) -> None:
    assert kept_out in DOCKERIGNORE.splitlines()
