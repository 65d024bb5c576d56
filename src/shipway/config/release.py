"""``[tool.shipway.artifacts]``: where builds are stored, published and signed."""

from pydantic import Field, field_validator

from shipway.config.fields import StrictModel, inside_project


class Artifacts(StrictModel):
    store: str = Field(
        default=".shipway/artifacts",
        description="directory of the artifact store, relative to pyproject.toml or absolute",
    )
    publish_url: str | None = Field(
        default=None,
        description="upload URL of a PyPI-compatible index that `inv push` also publishes to",
    )
    index_url: str | None = Field(
        default=None,
        description="simple-API URL of that index, to skip files it has and to fetch from it",
    )
    signing_key: str | None = Field(
        default=None, description="SSH private key that signs manifests (ssh-keygen -Y sign)"
    )
    allowed_signers: str | None = Field(
        default=None, description="allowed_signers file that verifies manifest signatures"
    )
    signer: str = Field(
        default="shipway", min_length=1, description="principal of the signer in allowed_signers"
    )
    require_signature: bool = Field(
        default=False, description="refuse artifacts without a valid manifest signature"
    )
    dockerfile: str = Field(
        default="deploy/Dockerfile", description="Dockerfile of the service's image"
    )
    platforms: list[str] = Field(
        default=["linux/amd64", "linux/arm64"],
        min_length=1,
        description="platforms of the container image, e.g. 'linux/amd64'",
    )
    exclude: list[str] = Field(
        default=[],
        description="globs of files left out of an application artifact, relative to the "
        "service directory ('docs', '*.md', 'scripts/dev_*')",
    )

    @field_validator("publish_url", "index_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value.startswith(("http://", "https://")):
            return value
        raise ValueError("not an http(s) URL")

    @field_validator("exclude")
    @classmethod
    def _relative_globs(cls, globs: list[str]) -> list[str]:
        for glob in globs:
            inside_project(glob)
        return globs

    @field_validator("platforms")
    @classmethod
    def _os_arch(cls, platforms: list[str]) -> list[str]:
        bad = [p for p in platforms if p.count("/") not in (1, 2) or " " in p]
        if bad:
            raise ValueError(f"{', '.join(bad)} not in the form os/arch[/variant]")
        return platforms
