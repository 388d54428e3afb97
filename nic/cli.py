"""The `nic` command line: a Flask CLI group, so `nic db upgrade` (Flask-Migrate) works.
Every command fails with one line on stderr and a non-zero exit on bad input."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from nic import create_app
from nic.models import ROLES
from nic.services.errors import ServiceError


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def cli():
    """nic: networked improvement communities of schools."""


def _network_or_fail(slug: str):
    from nic.services.accounts.networks import network_by_slug

    network = network_by_slug(slug)
    if network is None:
        raise click.ClickException(f"no network with slug {slug!r}")
    return network


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--threads",
    default=300,
    show_default=True,
    type=int,
    help="Concurrent connections: each open socket holds a thread; leave ~100 for pages.",
)
@click.option("--graceful-timeout", default=10, show_default=True, type=int)
def serve(host, port, threads, graceful_timeout):
    """Serve the web app and Socket.IO with gunicorn (gthread, one worker)."""
    from nic.server import run

    run(host=host, port=port, threads=threads, graceful_timeout=graceful_timeout)


@cli.command("demo")
@with_appcontext
def demo():
    """Seed the demo network (once) and print the demo logins."""
    from nic.demo.seed import seed_demo

    for line in seed_demo():
        click.echo(line)


@cli.group("network")
def network_group():
    """Networks (tenants)."""


@network_group.command("create")
@click.option("--slug", required=True, help="URL name, e.g. on-track")
@click.option("--name", required=True)
@with_appcontext
def network_create(slug, name):
    from nic.services.accounts.networks import create_network

    network = create_network(slug, name)
    click.echo(f"created network {network.slug} (id {network.id})")


@cli.group("school")
def school_group():
    """Member schools of a network."""


@school_group.command("create")
@click.option("--network", "network_slug", required=True)
@click.option("--name", required=True)
@with_appcontext
def school_create(network_slug, name):
    from nic.services.accounts.networks import create_school
    from nic.tenancy import use_network

    with use_network(_network_or_fail(network_slug)):
        school = create_school(name)
    click.echo(school.id)


@cli.group("user")
def user_group():
    """People and their memberships."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--network", "network_slug", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--school", "school_name", default=None, help="School name (not for facilitators)")
@with_appcontext
def user_create(email, name, password, network_slug, role, school_name):
    """Create a user with a membership; an existing user gains the membership."""
    from nic.services.accounts import accounts, networks
    from nic.tenancy import use_network
    from nic.transaction import commit, rollback

    with use_network(_network_or_fail(network_slug)):
        school_id = None
        if school_name:
            school = networks.school_by_name(school_name)
            if school is None:
                raise click.ClickException(f"no school named {school_name!r} in {network_slug}")
            school_id = school.id
        try:
            user = accounts.find_user_by_email(email)
            created = user is None
            if created:
                user = accounts.new_user(email, name, password)
            membership = networks.add_member(user, role, school_id)
            commit()
        except Exception:
            rollback()
            raise
    verb = "created" if created else "added existing user"
    click.echo(f"{verb} {user.email} as {membership.role} in {network_slug} (user id {user.id})")


@cli.group("token")
def token_group():
    """Personal API tokens."""


@token_group.command("create")
@click.option("--email", required=True)
@click.option("--name", default="command line", show_default=True)
@with_appcontext
def token_create(email, name):
    """Print a new personal API token, alone, on stdout."""
    from nic.services.accounts import accounts

    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email!r}")
    _, secret = accounts.create_api_token(user, name)
    click.echo(secret)


@cli.group("bench")
def bench_group():
    """Synthetic data for benchmarks."""


@bench_group.command("seed")
@click.option("--network", "network_slug", required=True, help="Slug; the network is created if missing")
@click.option("--schools", required=True, type=int, help="New schools to add, with their people")
@click.option("--cycles", required=True, type=int, help="Cycles in all, spread over the new schools")
@click.option("--points", required=True, type=int, help="Measure points in all, spread over schools and measures")
@click.option("--seed", default=20260406, show_default=True, type=int, help="Random seed: same seed, same data")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day the data leads up to (default: today)",
)
@with_appcontext
def bench_seed(network_slug, schools, cycles, points, seed, as_of):
    """Bulk-load synthetic but realistic data into a network, in one transaction."""
    from nic.bench.seed import seed as run_seed

    for line in run_seed(
        network_slug, schools, cycles, points, seed=seed, as_of=as_of and as_of.date(), progress=click.echo
    ):
        click.echo(line)


@cli.group("rollup")
def rollup_group():
    """Roll-ups: the snapshots the facilitators' dashboard reads."""


@rollup_group.command("run")
@click.option("--network", "network_slug", required=True)
@with_appcontext
def rollup_run(network_slug):
    """Run the network's full roll-up in this process; the last line is the elapsed seconds."""
    from nic.services.rollups import rollups
    from nic.tenancy import use_network

    network = _network_or_fail(network_slug)
    with use_network(network):
        computed_at, seconds = rollups.run_now()
    click.echo(f"rolled up {network.slug} (computed_at {computed_at.isoformat()})")
    click.echo(f"{seconds:.3f}")


def _one_line(message: str) -> str:
    return " ".join(message.split())


def main() -> None:
    try:
        result = cli.main(prog_name="nic", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("nic: aborted", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        click.echo(f"nic: {_one_line(exc.format_message())} (see --help)", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"nic: {_one_line(exc.format_message())}", err=True)
        sys.exit(exc.exit_code or 1)
    except ServiceError as exc:
        detail = "; ".join(f"--{k.replace('_', '-')} {v}" for k, v in exc.fields.items()) or exc.message
        click.echo(f"nic: {_one_line(detail)}", err=True)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
