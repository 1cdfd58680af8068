extension IdentifiabilitySpec: YAMLSpecification {}
