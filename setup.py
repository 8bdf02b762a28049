"""Package layout: the ``desk`` packages, plus ``resources/`` shipped as ``desk/_resources``.

Everything else about the project is in pyproject.toml. This file exists because
pyproject.toml alone cannot both discover packages and map a folder outside ``desk/``
into one: ``resources/`` stays at the top of the checkout, where people edit consent
templates, fonts, icons and the user guide, and the wheel and sdist still carry all of
it (``desk.resources.resource_path`` finds it in either place).
"""

from setuptools import find_namespace_packages, setup

RESOURCES = "desk._resources"
# Every folder is a package to setuptools (the Alembic migrations, which have no
# __init__.py, and each sub-folder of resources/ too): listing them all copies them all.
NOT_CODE = ["*__pycache__"]
RESOURCE_PACKAGES = [
    RESOURCES,
    *(f"{RESOURCES}.{sub}" for sub in find_namespace_packages(where="resources", exclude=NOT_CODE)),
]

setup(
    packages=[
        *find_namespace_packages(include=["desk", "desk.*"], exclude=NOT_CODE),
        *RESOURCE_PACKAGES,
    ],
    package_dir={RESOURCES: "resources"},
    package_data={
        "desk.db": ["alembic.ini"],
        "desk.db.migrations": ["script.py.mako"],
        **{package: ["*"] for package in RESOURCE_PACKAGES},
    },
    exclude_package_data={package: ["*.pyc", ".*"] for package in RESOURCE_PACKAGES},
)
