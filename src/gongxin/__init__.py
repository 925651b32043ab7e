"""Gongxin (公信): a public credit information platform."""

__version__ = "0.1.0"
