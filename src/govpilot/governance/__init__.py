"""AI governance as the Ethical AI Framework asks: the AI application register (every model
call's audit event names its application), impact assessments with a versioned bilingual
questionnaire, and the public transparency records."""

from govpilot.governance.assessments import Assessment, Assessments
from govpilot.governance.register import AiRegister, Application

__all__ = ["AiRegister", "Application", "Assessment", "Assessments"]
